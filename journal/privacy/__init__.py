"""The privacy notice (adatkezelési tájékoztató): read by anyone, written by the coordinator."""
