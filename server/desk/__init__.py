"""The desk's service-wide boards: the ownership board and the completion checks."""
