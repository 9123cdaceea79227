# Toby's userName is taken by a user whose externalId is the course's, not this sync's:
# the sync reports a conflict for his row and changes nothing (Jo's row goes on).
prediction = "conflict"
