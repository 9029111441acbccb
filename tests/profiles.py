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

# A team with its own GPUs, a strong ML team and restricted data: a clear call for open weights.
OPEN_SHOP = {
    "budget": "minimal",
    "volume": "heavy",
    "compute": "own",
    "customization": "deep",
    "task_scope": "specialised",
    "expertise": "strong",
    "data_sensitivity": "restricted",
    "transparency": "required",
    "exposure": "internal",
    "support": "community",
    "timeline": "flexible",
    "independence": "critical",
}

# Confidential data beside broad work, some skills, moderate means: a hybrid.
MIXED_ESTATE = {
    "budget": "substantial",
    "volume": "steady",
    "compute": "cloud",
    "customization": "grounding",
    "task_scope": "broad",
    "expertise": "some",
    "data_sensitivity": "confidential",
    "transparency": "helpful",
    "exposure": "public",
    "support": "vendor",
    "timeline": "months",
    "independence": "medium",
}
