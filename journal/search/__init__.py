"""Search over what a person may read: workshops, journal sections, notes, replies, report texts."""
