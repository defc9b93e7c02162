class TrainingError(Exception):
    """A refused training action; ``code`` is stable for API clients, ``message`` is for people."""

    status = 409

    def __init__(self, code: str, message: str, *, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
