# Every row and every group already matches the directory: the plan is empty, and applying an
# empty plan sends only the reads that made it.
prediction = 0
