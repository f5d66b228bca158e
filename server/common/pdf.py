"""Turn a server-rendered HTML page into a PDF with WeasyPrint: one place for every report.

WeasyPrint runs no JavaScript and fetches nothing from the network here: the page's own
stylesheets and images are read from Careloop's static files, and any other address is
refused, so a report can never make the server call out.
"""

import mimetypes
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PWA = Path(__file__).resolve().parents[2] / "pwa"
BASE_URL = "https://careloop.invalid/"


class LocalFetcher(URLFetcher):
    """Serve ``/css/...`` and ``/icons/...`` from ``pwa/``; refuse everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(BASE_URL):
            path = (PWA / url[len(BASE_URL) :].split("?")[0]).resolve()
            if path.is_relative_to(PWA) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        raise ValueError(f"Reports fetch nothing from outside Careloop: {url}")


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of ``html``; links such as ``/css/report.css`` resolve to ``pwa/``."""
    fetcher = LocalFetcher(fail_on_errors=True)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
