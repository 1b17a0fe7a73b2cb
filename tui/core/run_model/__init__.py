"""The whole run tied together, for the overview, the step story and the report.

`model.py` holds the frozen models; `build.py` builds them from a `RunDetail` and a source:
`first_pass(detail)` at once, without reading a byte, then `read(model, detail, part)` for each `Part`
in a worker, each returning a new, fuller `RunModel`.
"""

from .model import (
    UNSUCCESSFUL,
    Action,
    Element,
    LlmCall,
    Part,
    Place,
    Problem,
    RunModel,
    Severity,
    StepModel,
)

__all__ = ["UNSUCCESSFUL", "Action", "Element", "LlmCall", "Part", "Place", "Problem", "RunModel",
           "Severity", "StepModel"]
