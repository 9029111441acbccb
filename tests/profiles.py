"""Answer sets that several test files share."""

# A start-up with no servers, no ML team and a launch in weeks: a clear call for a hosted API.
START_UP = {
    "budget": "minimal",
    "volume": "light",
    "compute": "none",
    "customization": "none",
    "task_scope": "broad",
    "expertise": "none",
    "data_sensitivity": "public",
    "transparency": "no",
    "exposure": "public",
    "support": "vendor",
    "timeline": "weeks",
    "independence": "low",
}
