"""The API versions kpibot speaks, in one place: bump them here when a platform sunsets one.

The Graph's version is part of its base URL (`KPIBOT_GRAPH_API_URL`, default below), as Meta
versions by path."""

GA4_DATA_API = "v1beta"
GRAPH = "v25.0"
LINKEDIN = "202601"  # sent as `Linkedin-Version`; LinkedIn sunsets versions about a year on
PINTEREST = "v5"

GA4_URL = "https://analyticsdata.googleapis.com/"
GRAPH_URL = f"https://graph.facebook.com/{GRAPH}/"
LINKEDIN_URL = "https://api.linkedin.com/rest/"
PINTEREST_URL = f"https://api.pinterest.com/{PINTEREST}/"
