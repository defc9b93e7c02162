from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = ("text/", "application/json")


class TextGZipMiddleware(GZipMiddleware):
    """Gzip pages and JSON for slow links; never files (images, PDFs and recordings are
    compressed already, and recordings are played in byte ranges). Django pads the gzip
    header against BREACH-style length guessing and masks the CSRF token per response."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
