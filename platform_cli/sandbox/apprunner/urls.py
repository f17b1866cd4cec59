"""How App Runner requests reach the dispatcher (the same shape as a moto service's urls.py).

App Runner is a JSON 1.0 service: every operation is a POST to / with X-Amz-Target: AppRunner.<Operation>.
The sandbox server routes on that header (or on the SigV4 signing name) before moto's own dispatcher.
"""

from __future__ import annotations

from .responses import AppRunnerResponse

TARGET_PREFIX = "AppRunner."
SIGNING_NAME = "apprunner"

url_bases = [r"https?://apprunner\.(.+)\.amazonaws\.com"]

url_paths = {"{0}/$": AppRunnerResponse.dispatch}
