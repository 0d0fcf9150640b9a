"""kpibot's surfaces: the CLI and console, the Slack app, and the digest scheduler."""
