"""Score a leads table with the SQL from ``leadscore rules sql --dialect spark``.

spark-submit score_leads.py lead_scores.sql crm.lead_scores
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession


def _write(frame: DataFrame, target: str) -> None:
    frame.write.mode("overwrite").saveAsTable(target)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: score_leads.py STATEMENT.sql TARGET_TABLE", file=sys.stderr)
        return 2
    statement = Path(argv[0]).read_text(encoding="utf-8").strip().rstrip(";")
    target = argv[1]
    spark = SparkSession.builder.appName("leadscore-score-leads").getOrCreate()
    scored = spark.sql(statement)
    _write(scored, target)
    print(f"scored {spark.table(target).count()} leads into {target}")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
