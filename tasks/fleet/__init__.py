"""The fleet: each host's report after its pull run, and the page that shows them all."""
