"""Sample CRM data with planted effects: ``generate()`` and the ``SampleData`` it returns.

Example::

    from service.sample import generate
    data = generate(deals=180, leads=340, seed=0, as_of=date(2026, 11, 28))
    data.write(Path("demo/data"))  # deals.csv, leads.csv, activities.csv, icp.yaml, truth.json
"""

from service.sample.generator import FILES, SampleData, generate
from service.sample.plan import FIELD_DIMENSIONS, LEAKAGE_FIELDS

__all__ = ["FIELD_DIMENSIONS", "FILES", "LEAKAGE_FIELDS", "SampleData", "generate"]
