"""The methods library (módszertár): the program's group-mentoring methods, shared knowledge
readable by everyone in the program, written by mentors and the coordinator."""
