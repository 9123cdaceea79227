prediction = "create the same user again"
