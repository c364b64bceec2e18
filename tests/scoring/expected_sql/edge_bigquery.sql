WITH `_ls_values_0` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`employees` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_0` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_0` AS `u`
  ) AS `a`
), `_ls_lookup_0` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL AND `x`.`n` < CAST(10.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_0_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_0_0`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL
        AND `x`.`n` >= CAST(10.0 AS FLOAT64)
        AND `x`.`n` < CAST(50.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_1_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_1_0`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL
        AND `x`.`n` >= CAST(50.0 AS FLOAT64)
        AND `x`.`n` < CAST(200.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_2_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_2_0`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL AND `x`.`n` >= CAST(200.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_3_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_3_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_0` AS `s`
      CROSS JOIN `_ls_kinds_0` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_1` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`industry` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_1` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_1` AS `u`
  ) AS `a`
), `_ls_lookup_1` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE
          WHEN `x`.`num` = 1
          THEN FALSE
          ELSE `x`.`l` IN ('saas', 'fin tech', 'health care')
        END
      )
      THEN 1
      ELSE 0
    END AS `f_4_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_4_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_1` AS `s`
      CROSS JOIN `_ls_kinds_1` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_2` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`region` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_2` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_2` AS `u`
  ) AS `a`
), `_ls_lookup_2` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE WHEN `x`.`num` = 1 THEN FALSE ELSE `x`.`l` IN ('na') END
      )
      THEN 1
      ELSE 0
    END AS `f_5_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_5_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_2` AS `s`
      CROSS JOIN `_ls_kinds_2` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_3` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`region2` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_3` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_3` AS `u`
  ) AS `a`
), `_ls_lookup_3` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE WHEN `x`.`num` = 1 THEN FALSE ELSE `x`.`l` IN ('emea') END
      )
      THEN 1
      ELSE 0
    END AS `f_6_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_6_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_3` AS `s`
      CROSS JOIN `_ls_kinds_3` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_4` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`demo` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_4` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_4` AS `u`
  ) AS `a`
), `_ls_lookup_4` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND (
          `x`.`n` > 0 OR `x`.`l` IN ('1', '1.0', 't', 'true', 'y', 'yes')
        )
      )
      THEN 1
      ELSE 0
    END AS `f_7_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_7_0`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND (
          `x`.`n` > 0 OR `x`.`l` IN ('1', '1.0', 't', 'true', 'y', 'yes')
        )
      )
      THEN 1
      ELSE 0
    END AS `f_8_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_8_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_4` AS `s`
      CROSS JOIN `_ls_kinds_4` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_5` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`pricing` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_5` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_5` AS `u`
  ) AS `a`
), `_ls_lookup_5` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL AND `x`.`n` >= CAST(3.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_8_1`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_8_1`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_5` AS `s`
      CROSS JOIN `_ls_kinds_5` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_6` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`webinar` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_6` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_6` AS `u`
  ) AS `a`
), `_ls_lookup_6` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND (
          `x`.`n` > 0 OR `x`.`l` IN ('1', '1.0', 't', 'true', 'y', 'yes')
        )
      )
      THEN 1
      ELSE 0
    END AS `f_9_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_9_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_6` AS `s`
      CROSS JOIN `_ls_kinds_6` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_7` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`plan` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_7` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_7` AS `u`
  ) AS `a`
), `_ls_lookup_7` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE
          WHEN `x`.`num` = 1
          THEN `x`.`n` IN (
            CAST(1.0 AS FLOAT64),
            CAST(2.0 AS FLOAT64),
            CAST(3.5 AS FLOAT64),
            CAST(1.0 AS FLOAT64)
          )
          ELSE `x`.`l` IN ('1', '2', '3.5')
        END
      )
      THEN 1
      ELSE 0
    END AS `f_10_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_10_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_7` AS `s`
      CROSS JOIN `_ls_kinds_7` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_8` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`code` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_8` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_8` AS `u`
  ) AS `a`
), `_ls_lookup_8` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE
          WHEN `x`.`num` = 1
          THEN `x`.`n` IN (CAST(7.0 AS FLOAT64), CAST(5.0 AS FLOAT64))
          ELSE `x`.`l` IN ('007', '5', 'ab c')
        END
      )
      THEN 1
      ELSE 0
    END AS `f_11_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_11_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_8` AS `s`
      CROSS JOIN `_ls_kinds_8` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_9` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`careers` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_9` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_9` AS `u`
  ) AS `a`
), `_ls_lookup_9` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND (
          `x`.`n` > 0 OR `x`.`l` IN ('1', '1.0', 't', 'true', 'y', 'yes')
        )
      )
      THEN 1
      ELSE 0
    END AS `f_12_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_12_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_9` AS `s`
      CROSS JOIN `_ls_kinds_9` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_10` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`student` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_10` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_10` AS `u`
  ) AS `a`
), `_ls_lookup_10` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND (
          `x`.`n` > 0 OR `x`.`l` IN ('1', '1.0', 't', 'true', 'y', 'yes')
        )
      )
      THEN 1
      ELSE 0
    END AS `f_13_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_13_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_10` AS `s`
      CROSS JOIN `_ls_kinds_10` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_11` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`phone` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_11` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_11` AS `u`
  ) AS `a`
), `_ls_lookup_11` AS (
  SELECT
    `x`.`raw`,
    CASE WHEN TRUE AND `x`.`v` IS NULL THEN 1 ELSE 0 END AS `f_14_0`,
    CASE WHEN TRUE THEN 1 ELSE 0 END AS `k_14_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_11` AS `s`
      CROSS JOIN `_ls_kinds_11` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_12` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`source` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_12` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_12` AS `u`
  ) AS `a`
), `_ls_lookup_12` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE WHEN `x`.`num` = 1 THEN FALSE ELSE `x`.`l` IN ('referral') END
      )
      THEN 1
      ELSE 0
    END AS `f_15_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_15_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_12` AS `s`
      CROSS JOIN `_ls_kinds_12` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_13` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`Revenue [EUR]` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_13` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_13` AS `u`
  ) AS `a`
), `_ls_lookup_13` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL AND `x`.`n` >= CAST(1000000.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_16_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_16_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_13` AS `s`
      CROSS JOIN `_ls_kinds_13` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_14` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`growth` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_14` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_14` AS `u`
  ) AS `a`
), `_ls_lookup_14` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL
        AND `x`.`n` >= CAST(-0.5 AS FLOAT64)
        AND `x`.`n` < CAST(0.25 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_17_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_17_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_14` AS `s`
      CROSS JOIN `_ls_kinds_14` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_15` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`deal_size` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_15` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_15` AS `u`
  ) AS `a`
), `_ls_lookup_15` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`n` IS NULL
      AND (
        NOT `x`.`n` IS NULL AND `x`.`n` >= CAST(1000000.0 AS FLOAT64)
      )
      THEN 1
      ELSE 0
    END AS `f_18_0`,
    CASE WHEN NOT `x`.`n` IS NULL THEN 1 ELSE 0 END AS `k_18_0`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE
          WHEN `x`.`num` = 1
          THEN `x`.`n` IN (CAST(5000.0 AS FLOAT64), CAST(800.0 AS FLOAT64))
          ELSE `x`.`l` IN ('5000', '800')
        END
      )
      THEN 1
      ELSE 0
    END AS `f_19_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_19_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_15` AS `s`
      CROSS JOIN `_ls_kinds_15` AS `k`
    ) AS `w`
  ) AS `x`
), `_ls_values_16` AS (
  SELECT
    `u`.`raw`,
    CASE
      WHEN REGEXP_CONTAINS(
        CAST(`u`.`raw` AS STRING),
        '^[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]|[\t\n\v\f\r\x1c\x1d\x1e\x1f                  　]$'
      )
      THEN TRIM(CAST(`u`.`raw` AS STRING), '\t\n\v\f\r\x1c\x1d\x1e\x1f                  　')
      ELSE CAST(`u`.`raw` AS STRING)
    END AS `st`
  FROM (
    SELECT DISTINCT
      CAST(`t`.`flagtext` AS STRING) AS `raw`
    FROM `leads` AS `t`
  ) AS `u`
), `_ls_kinds_16` AS (
  SELECT
    CASE WHEN `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1 THEN 1 ELSE 0 END AS `code`,
    CASE
      WHEN `a`.`numbers` = 1
      AND NOT (
        `a`.`has_na` = 1 AND `a`.`kept` > 0 AND `a`.`codes` = 1
      )
      THEN 1
      ELSE 0
    END AS `num`
  FROM (
    SELECT
      MAX(CASE WHEN `u`.`st` = 'NA' THEN 1 ELSE 0 END) AS `has_na`,
      COUNT(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS `kept`,
      MIN(
        CASE
          WHEN NOT LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE WHEN REGEXP_CONTAINS(`u`.`st`, '^[A-Z]{2,5}$') THEN 1 ELSE 0 END
        END
      ) AS `codes`,
      MIN(
        CASE
          WHEN `u`.`st` IS NULL
          OR LOWER(`u`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_CONTAINS(
            `u`.`st`,
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS `numbers`
    FROM `_ls_values_16` AS `u`
  ) AS `a`
), `_ls_lookup_16` AS (
  SELECT
    `x`.`raw`,
    CASE
      WHEN NOT `x`.`v` IS NULL
      AND (
        NOT `x`.`v` IS NULL
        AND CASE
          WHEN `x`.`num` = 1
          THEN `x`.`n` IN (CAST(1.0 AS FLOAT64))
          ELSE `x`.`l` IN ('true')
        END
      )
      THEN 1
      ELSE 0
    END AS `f_20_0`,
    CASE WHEN NOT `x`.`v` IS NULL THEN 1 ELSE 0 END AS `k_20_0`
  FROM (
    SELECT
      `w`.`raw`,
      `w`.`v`,
      `w`.`num`,
      CASE
        WHEN REGEXP_CONTAINS(
          `w`.`v`,
          '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
        )
        THEN CAST(REPLACE(`w`.`v`, ',', '') AS FLOAT64)
      END AS `n`,
      LOWER(`w`.`v`) AS `l`
    FROM (
      SELECT
        `s`.`raw`,
        CASE
          WHEN LOWER(`s`.`st`) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          AND NOT (
            `s`.`st` = 'NA' AND `k`.`code` = 1
          )
          THEN NULL
          ELSE `s`.`st`
        END AS `v`,
        `k`.`num`
      FROM `_ls_values_16` AS `s`
      CROSS JOIN `_ls_kinds_16` AS `k`
    ) AS `w`
  ) AS `x`
)
SELECT
  `p`.*
  EXCEPT (`_ls_f_0`, `_ls_k_0`, `_ls_f_1`, `_ls_k_1`, `_ls_f_2`, `_ls_k_2`, `_ls_f_3`, `_ls_k_3`, `_ls_f_4`, `_ls_k_4`, `_ls_f_5`, `_ls_k_5`, `_ls_f_6`, `_ls_k_6`, `_ls_f_7`, `_ls_k_7`, `_ls_f_8`, `_ls_k_8`, `_ls_f_9`, `_ls_k_9`, `_ls_f_10`, `_ls_k_10`, `_ls_f_11`, `_ls_k_11`, `_ls_f_12`, `_ls_k_12`, `_ls_f_13`, `_ls_k_13`, `_ls_f_14`, `_ls_k_14`, `_ls_f_15`, `_ls_k_15`, `_ls_f_16`, `_ls_k_16`, `_ls_f_17`, `_ls_k_17`, `_ls_f_18`, `_ls_k_18`, `_ls_f_19`, `_ls_k_19`, `_ls_f_20`, `_ls_k_20`, `_ls_raw_firmographic`, `_ls_extra_firmographic`, `_ls_raw_behavioral`, `_ls_extra_behavioral`, `_ls_raw_engagement`, `_ls_extra_engagement`, `_ls_raw_intent`, `_ls_extra_intent`, `_ls_raw_negative`, `_ls_missing_weight`, `_ls_missing_names`, `_ls_p1`, `_ls_p2`, `_ls_p3`),
  (
    CASE
      WHEN `p`.`_ls_raw_firmographic` > 30
      THEN 30
      ELSE `p`.`_ls_raw_firmographic`
    END + CASE WHEN `p`.`_ls_raw_behavioral` > 20 THEN 20 ELSE `p`.`_ls_raw_behavioral` END + CASE WHEN `p`.`_ls_raw_engagement` > 10 THEN 10 ELSE `p`.`_ls_raw_engagement` END + CASE WHEN `p`.`_ls_raw_intent` > 25 THEN 25 ELSE `p`.`_ls_raw_intent` END + CASE WHEN `p`.`_ls_raw_negative` < -10 THEN -10 ELSE `p`.`_ls_raw_negative` END
  ) AS `Lead_Score_Total`,
  CASE
    WHEN `p`.`_ls_raw_firmographic` > 30
    THEN 30
    ELSE `p`.`_ls_raw_firmographic`
  END AS `Lead_Score_Firmographic`,
  CASE WHEN `p`.`_ls_raw_behavioral` > 20 THEN 20 ELSE `p`.`_ls_raw_behavioral` END AS `Lead_Score_Behavioral`,
  CASE WHEN `p`.`_ls_raw_engagement` > 10 THEN 10 ELSE `p`.`_ls_raw_engagement` END AS `Lead_Score_Engagement`,
  CASE WHEN `p`.`_ls_raw_intent` > 25 THEN 25 ELSE `p`.`_ls_raw_intent` END AS `Lead_Score_Intent`,
  CASE
    WHEN `p`.`_ls_missing_weight` >= 81
    THEN 'Unscoreable'
    WHEN (
      CASE
        WHEN `p`.`_ls_raw_firmographic` > 30
        THEN 30
        ELSE `p`.`_ls_raw_firmographic`
      END + CASE WHEN `p`.`_ls_raw_behavioral` > 20 THEN 20 ELSE `p`.`_ls_raw_behavioral` END + CASE WHEN `p`.`_ls_raw_engagement` > 10 THEN 10 ELSE `p`.`_ls_raw_engagement` END + CASE WHEN `p`.`_ls_raw_intent` > 25 THEN 25 ELSE `p`.`_ls_raw_intent` END + CASE WHEN `p`.`_ls_raw_negative` < -10 THEN -10 ELSE `p`.`_ls_raw_negative` END
    ) >= 51
    THEN 'Hot'
    WHEN (
      CASE
        WHEN `p`.`_ls_raw_firmographic` > 30
        THEN 30
        ELSE `p`.`_ls_raw_firmographic`
      END + CASE WHEN `p`.`_ls_raw_behavioral` > 20 THEN 20 ELSE `p`.`_ls_raw_behavioral` END + CASE WHEN `p`.`_ls_raw_engagement` > 10 THEN 10 ELSE `p`.`_ls_raw_engagement` END + CASE WHEN `p`.`_ls_raw_intent` > 25 THEN 25 ELSE `p`.`_ls_raw_intent` END + CASE WHEN `p`.`_ls_raw_negative` < -10 THEN -10 ELSE `p`.`_ls_raw_negative` END
    ) >= 34
    THEN 'Warm'
    WHEN (
      CASE
        WHEN `p`.`_ls_raw_firmographic` > 30
        THEN 30
        ELSE `p`.`_ls_raw_firmographic`
      END + CASE WHEN `p`.`_ls_raw_behavioral` > 20 THEN 20 ELSE `p`.`_ls_raw_behavioral` END + CASE WHEN `p`.`_ls_raw_engagement` > 10 THEN 10 ELSE `p`.`_ls_raw_engagement` END + CASE WHEN `p`.`_ls_raw_intent` > 25 THEN 25 ELSE `p`.`_ls_raw_intent` END + CASE WHEN `p`.`_ls_raw_negative` < -10 THEN -10 ELSE `p`.`_ls_raw_negative` END
    ) >= 24
    THEN 'Cool'
    ELSE 'Cold'
  END AS `Lead_Score_Tier`,
  'edge-1' AS `Lead_Score_Version`,
  CONCAT(
    COALESCE(
      CASE `p`.`_ls_p1`
        WHEN 1
        THEN 'size_xl (+20)'
        WHEN 2
        THEN 'Requested a demo (+18)'
        WHEN 3
        THEN 'Industry we win in (+15)'
        WHEN 4
        THEN 'size_large (+12)'
        WHEN 5
        THEN 'Demo and pricing 3+ (+12)'
        WHEN 6
        THEN 'code (+9)'
        WHEN 7
        THEN 'revenue (+9)'
        WHEN 8
        THEN 'size_mid (+8)'
        WHEN 9
        THEN 'student (−8)'
        WHEN 10
        THEN 'plan (+7)'
        WHEN 11
        THEN 'webinar (+6)'
        WHEN 12
        THEN 'careers (−6)'
        WHEN 13
        THEN 'Rep\'s "pick"; referral – über (+6)'
        WHEN 14
        THEN 'big_deal (+5)'
        WHEN 15
        THEN 'size_small (+4)'
        WHEN 16
        THEN 'deal_5000 (+4)'
        WHEN 17
        THEN 'north_america (+3)'
        WHEN 18
        THEN 'No phone (−3)'
        WHEN 19
        THEN 'flat_growth (+3)'
        WHEN 20
        THEN 'emea (+2)'
        WHEN 21
        THEN 'bool_text (+2)'
      END,
      ''
    ),
    COALESCE(
      CASE `p`.`_ls_p2`
        WHEN 1
        THEN '; size_xl (+20)'
        WHEN 2
        THEN '; Requested a demo (+18)'
        WHEN 3
        THEN '; Industry we win in (+15)'
        WHEN 4
        THEN '; size_large (+12)'
        WHEN 5
        THEN '; Demo and pricing 3+ (+12)'
        WHEN 6
        THEN '; code (+9)'
        WHEN 7
        THEN '; revenue (+9)'
        WHEN 8
        THEN '; size_mid (+8)'
        WHEN 9
        THEN '; student (−8)'
        WHEN 10
        THEN '; plan (+7)'
        WHEN 11
        THEN '; webinar (+6)'
        WHEN 12
        THEN '; careers (−6)'
        WHEN 13
        THEN '; Rep\'s "pick"; referral – über (+6)'
        WHEN 14
        THEN '; big_deal (+5)'
        WHEN 15
        THEN '; size_small (+4)'
        WHEN 16
        THEN '; deal_5000 (+4)'
        WHEN 17
        THEN '; north_america (+3)'
        WHEN 18
        THEN '; No phone (−3)'
        WHEN 19
        THEN '; flat_growth (+3)'
        WHEN 20
        THEN '; emea (+2)'
        WHEN 21
        THEN '; bool_text (+2)'
      END,
      ''
    ),
    COALESCE(
      CASE `p`.`_ls_p3`
        WHEN 1
        THEN '; size_xl (+20)'
        WHEN 2
        THEN '; Requested a demo (+18)'
        WHEN 3
        THEN '; Industry we win in (+15)'
        WHEN 4
        THEN '; size_large (+12)'
        WHEN 5
        THEN '; Demo and pricing 3+ (+12)'
        WHEN 6
        THEN '; code (+9)'
        WHEN 7
        THEN '; revenue (+9)'
        WHEN 8
        THEN '; size_mid (+8)'
        WHEN 9
        THEN '; student (−8)'
        WHEN 10
        THEN '; plan (+7)'
        WHEN 11
        THEN '; webinar (+6)'
        WHEN 12
        THEN '; careers (−6)'
        WHEN 13
        THEN '; Rep\'s "pick"; referral – über (+6)'
        WHEN 14
        THEN '; big_deal (+5)'
        WHEN 15
        THEN '; size_small (+4)'
        WHEN 16
        THEN '; deal_5000 (+4)'
        WHEN 17
        THEN '; north_america (+3)'
        WHEN 18
        THEN '; No phone (−3)'
        WHEN 19
        THEN '; flat_growth (+3)'
        WHEN 20
        THEN '; emea (+2)'
        WHEN 21
        THEN '; bool_text (+2)'
      END,
      ''
    )
  ) AS `Lead_Score_Top_Factors`,
  CASE
    WHEN `p`.`_ls_missing_names` = ''
    THEN ''
    ELSE CONCAT(
      `p`.`_ls_missing_names`,
      ' (up to +',
      CAST((
        CASE
          WHEN `p`.`_ls_raw_firmographic` + `p`.`_ls_extra_firmographic` > 30
          THEN 30
          ELSE `p`.`_ls_raw_firmographic` + `p`.`_ls_extra_firmographic`
        END - CASE
          WHEN `p`.`_ls_raw_firmographic` > 30
          THEN 30
          ELSE `p`.`_ls_raw_firmographic`
        END + CASE
          WHEN `p`.`_ls_raw_behavioral` + `p`.`_ls_extra_behavioral` > 20
          THEN 20
          ELSE `p`.`_ls_raw_behavioral` + `p`.`_ls_extra_behavioral`
        END - CASE WHEN `p`.`_ls_raw_behavioral` > 20 THEN 20 ELSE `p`.`_ls_raw_behavioral` END + CASE
          WHEN `p`.`_ls_raw_engagement` + `p`.`_ls_extra_engagement` > 10
          THEN 10
          ELSE `p`.`_ls_raw_engagement` + `p`.`_ls_extra_engagement`
        END - CASE WHEN `p`.`_ls_raw_engagement` > 10 THEN 10 ELSE `p`.`_ls_raw_engagement` END + CASE
          WHEN `p`.`_ls_raw_intent` + `p`.`_ls_extra_intent` > 25
          THEN 25
          ELSE `p`.`_ls_raw_intent` + `p`.`_ls_extra_intent`
        END - CASE WHEN `p`.`_ls_raw_intent` > 25 THEN 25 ELSE `p`.`_ls_raw_intent` END
      ) AS STRING),
      ' points)'
    )
  END AS `Lead_Score_Missing`
FROM (
  SELECT
    `p`.*,
    CASE
      WHEN `p`.`_ls_p2` = 0
      THEN 0
      WHEN `p`.`_ls_f_7` = 1 AND `p`.`_ls_p2` < 2
      THEN 2
      WHEN `p`.`_ls_f_4` = 1 AND `p`.`_ls_p2` < 3
      THEN 3
      WHEN `p`.`_ls_f_2` = 1 AND `p`.`_ls_p2` < 4
      THEN 4
      WHEN `p`.`_ls_f_8` = 1 AND `p`.`_ls_p2` < 5
      THEN 5
      WHEN `p`.`_ls_f_11` = 1 AND `p`.`_ls_p2` < 6
      THEN 6
      WHEN `p`.`_ls_f_16` = 1 AND `p`.`_ls_p2` < 7
      THEN 7
      WHEN `p`.`_ls_f_1` = 1 AND `p`.`_ls_p2` < 8
      THEN 8
      WHEN `p`.`_ls_f_13` = 1 AND `p`.`_ls_p2` < 9
      THEN 9
      WHEN `p`.`_ls_f_10` = 1 AND `p`.`_ls_p2` < 10
      THEN 10
      WHEN `p`.`_ls_f_9` = 1 AND `p`.`_ls_p2` < 11
      THEN 11
      WHEN `p`.`_ls_f_12` = 1 AND `p`.`_ls_p2` < 12
      THEN 12
      WHEN `p`.`_ls_f_15` = 1 AND `p`.`_ls_p2` < 13
      THEN 13
      WHEN `p`.`_ls_f_18` = 1 AND `p`.`_ls_p2` < 14
      THEN 14
      WHEN `p`.`_ls_f_0` = 1 AND `p`.`_ls_p2` < 15
      THEN 15
      WHEN `p`.`_ls_f_19` = 1 AND `p`.`_ls_p2` < 16
      THEN 16
      WHEN `p`.`_ls_f_5` = 1 AND `p`.`_ls_p2` < 17
      THEN 17
      WHEN `p`.`_ls_f_14` = 1 AND `p`.`_ls_p2` < 18
      THEN 18
      WHEN `p`.`_ls_f_17` = 1 AND `p`.`_ls_p2` < 19
      THEN 19
      WHEN `p`.`_ls_f_6` = 1 AND `p`.`_ls_p2` < 20
      THEN 20
      WHEN `p`.`_ls_f_20` = 1 AND `p`.`_ls_p2` < 21
      THEN 21
      ELSE 0
    END AS `_ls_p3`
  FROM (
    SELECT
      `p`.*,
      CASE
        WHEN `p`.`_ls_p1` = 0
        THEN 0
        WHEN `p`.`_ls_f_7` = 1 AND `p`.`_ls_p1` < 2
        THEN 2
        WHEN `p`.`_ls_f_4` = 1 AND `p`.`_ls_p1` < 3
        THEN 3
        WHEN `p`.`_ls_f_2` = 1 AND `p`.`_ls_p1` < 4
        THEN 4
        WHEN `p`.`_ls_f_8` = 1 AND `p`.`_ls_p1` < 5
        THEN 5
        WHEN `p`.`_ls_f_11` = 1 AND `p`.`_ls_p1` < 6
        THEN 6
        WHEN `p`.`_ls_f_16` = 1 AND `p`.`_ls_p1` < 7
        THEN 7
        WHEN `p`.`_ls_f_1` = 1 AND `p`.`_ls_p1` < 8
        THEN 8
        WHEN `p`.`_ls_f_13` = 1 AND `p`.`_ls_p1` < 9
        THEN 9
        WHEN `p`.`_ls_f_10` = 1 AND `p`.`_ls_p1` < 10
        THEN 10
        WHEN `p`.`_ls_f_9` = 1 AND `p`.`_ls_p1` < 11
        THEN 11
        WHEN `p`.`_ls_f_12` = 1 AND `p`.`_ls_p1` < 12
        THEN 12
        WHEN `p`.`_ls_f_15` = 1 AND `p`.`_ls_p1` < 13
        THEN 13
        WHEN `p`.`_ls_f_18` = 1 AND `p`.`_ls_p1` < 14
        THEN 14
        WHEN `p`.`_ls_f_0` = 1 AND `p`.`_ls_p1` < 15
        THEN 15
        WHEN `p`.`_ls_f_19` = 1 AND `p`.`_ls_p1` < 16
        THEN 16
        WHEN `p`.`_ls_f_5` = 1 AND `p`.`_ls_p1` < 17
        THEN 17
        WHEN `p`.`_ls_f_14` = 1 AND `p`.`_ls_p1` < 18
        THEN 18
        WHEN `p`.`_ls_f_17` = 1 AND `p`.`_ls_p1` < 19
        THEN 19
        WHEN `p`.`_ls_f_6` = 1 AND `p`.`_ls_p1` < 20
        THEN 20
        WHEN `p`.`_ls_f_20` = 1 AND `p`.`_ls_p1` < 21
        THEN 21
        ELSE 0
      END AS `_ls_p2`
    FROM (
      SELECT
        `p`.*,
        CASE
          WHEN `p`.`_ls_f_3` = 1
          THEN 1
          WHEN `p`.`_ls_f_7` = 1
          THEN 2
          WHEN `p`.`_ls_f_4` = 1
          THEN 3
          WHEN `p`.`_ls_f_2` = 1
          THEN 4
          WHEN `p`.`_ls_f_8` = 1
          THEN 5
          WHEN `p`.`_ls_f_11` = 1
          THEN 6
          WHEN `p`.`_ls_f_16` = 1
          THEN 7
          WHEN `p`.`_ls_f_1` = 1
          THEN 8
          WHEN `p`.`_ls_f_13` = 1
          THEN 9
          WHEN `p`.`_ls_f_10` = 1
          THEN 10
          WHEN `p`.`_ls_f_9` = 1
          THEN 11
          WHEN `p`.`_ls_f_12` = 1
          THEN 12
          WHEN `p`.`_ls_f_15` = 1
          THEN 13
          WHEN `p`.`_ls_f_18` = 1
          THEN 14
          WHEN `p`.`_ls_f_0` = 1
          THEN 15
          WHEN `p`.`_ls_f_19` = 1
          THEN 16
          WHEN `p`.`_ls_f_5` = 1
          THEN 17
          WHEN `p`.`_ls_f_14` = 1
          THEN 18
          WHEN `p`.`_ls_f_17` = 1
          THEN 19
          WHEN `p`.`_ls_f_6` = 1
          THEN 20
          WHEN `p`.`_ls_f_20` = 1
          THEN 21
          ELSE 0
        END AS `_ls_p1`
      FROM (
        SELECT
          `p`.*,
          (
            `p`.`_ls_f_0` * 4 + `p`.`_ls_f_1` * 8 + `p`.`_ls_f_2` * 12 + `p`.`_ls_f_3` * 20 + `p`.`_ls_f_4` * 15 + `p`.`_ls_f_5` * 3 + `p`.`_ls_f_6` * 2
          ) AS `_ls_raw_firmographic`,
          (
            (
              1 - `p`.`_ls_k_0`
            ) * 4 + (
              1 - `p`.`_ls_k_1`
            ) * 8 + (
              1 - `p`.`_ls_k_2`
            ) * 12 + (
              1 - `p`.`_ls_k_3`
            ) * 20 + (
              1 - `p`.`_ls_k_4`
            ) * 15 + (
              1 - `p`.`_ls_k_5`
            ) * 3 + (
              1 - `p`.`_ls_k_6`
            ) * 2
          ) AS `_ls_extra_firmographic`,
          (
            `p`.`_ls_f_10` * 7 + `p`.`_ls_f_11` * 9 + `p`.`_ls_f_16` * 9 + `p`.`_ls_f_17` * 3 + `p`.`_ls_f_19` * 4
          ) AS `_ls_raw_behavioral`,
          (
            (
              1 - `p`.`_ls_k_10`
            ) * 7 + (
              1 - `p`.`_ls_k_11`
            ) * 9 + (
              1 - `p`.`_ls_k_16`
            ) * 9 + (
              1 - `p`.`_ls_k_17`
            ) * 3 + (
              1 - `p`.`_ls_k_19`
            ) * 4
          ) AS `_ls_extra_behavioral`,
          (
            `p`.`_ls_f_9` * 6 + `p`.`_ls_f_15` * 6 + `p`.`_ls_f_20` * 2
          ) AS `_ls_raw_engagement`,
          (
            (
              1 - `p`.`_ls_k_9`
            ) * 6 + (
              1 - `p`.`_ls_k_15`
            ) * 6 + (
              1 - `p`.`_ls_k_20`
            ) * 2
          ) AS `_ls_extra_engagement`,
          (
            `p`.`_ls_f_7` * 18 + `p`.`_ls_f_8` * 12 + `p`.`_ls_f_18` * 5
          ) AS `_ls_raw_intent`,
          (
            (
              1 - `p`.`_ls_k_7`
            ) * 18 + (
              1 - `p`.`_ls_k_8`
            ) * 12 + (
              1 - `p`.`_ls_k_18`
            ) * 5
          ) AS `_ls_extra_intent`,
          (
            `p`.`_ls_f_12` * -6 + `p`.`_ls_f_13` * -8 + `p`.`_ls_f_14` * -3
          ) AS `_ls_raw_negative`,
          (
            (
              1 - `p`.`_ls_k_0`
            ) * 4 + (
              1 - `p`.`_ls_k_1`
            ) * 8 + (
              1 - `p`.`_ls_k_2`
            ) * 12 + (
              1 - `p`.`_ls_k_3`
            ) * 20 + (
              1 - `p`.`_ls_k_4`
            ) * 15 + (
              1 - `p`.`_ls_k_5`
            ) * 3 + (
              1 - `p`.`_ls_k_6`
            ) * 2 + (
              1 - `p`.`_ls_k_7`
            ) * 18 + (
              1 - `p`.`_ls_k_8`
            ) * 12 + (
              1 - `p`.`_ls_k_9`
            ) * 6 + (
              1 - `p`.`_ls_k_10`
            ) * 7 + (
              1 - `p`.`_ls_k_11`
            ) * 9 + (
              1 - `p`.`_ls_k_12`
            ) * 6 + (
              1 - `p`.`_ls_k_13`
            ) * 8 + (
              1 - `p`.`_ls_k_14`
            ) * 3 + (
              1 - `p`.`_ls_k_15`
            ) * 6 + (
              1 - `p`.`_ls_k_16`
            ) * 9 + (
              1 - `p`.`_ls_k_17`
            ) * 3 + (
              1 - `p`.`_ls_k_18`
            ) * 5 + (
              1 - `p`.`_ls_k_19`
            ) * 4 + (
              1 - `p`.`_ls_k_20`
            ) * 2
          ) AS `_ls_missing_weight`,
          SUBSTRING(
            CONCAT(
              COALESCE(CASE WHEN `p`.`_ls_k_0` = 0 THEN '; size_small' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_1` = 0 THEN '; size_mid' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_2` = 0 THEN '; size_large' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_3` = 0 THEN '; size_xl' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_4` = 0 THEN '; Industry we win in' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_5` = 0 THEN '; north_america' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_6` = 0 THEN '; emea' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_7` = 0 THEN '; Requested a demo' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_8` = 0 THEN '; Demo and pricing 3+' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_9` = 0 THEN '; webinar' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_10` = 0 THEN '; plan' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_11` = 0 THEN '; code' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_12` = 0 THEN '; careers' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_13` = 0 THEN '; student' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_14` = 0 THEN '; No phone' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_15` = 0 THEN '; Rep\'s "pick"; referral – über' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_16` = 0 THEN '; revenue' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_17` = 0 THEN '; flat_growth' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_18` = 0 THEN '; big_deal' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_19` = 0 THEN '; deal_5000' END, ''),
              COALESCE(CASE WHEN `p`.`_ls_k_20` = 0 THEN '; bool_text' END, '')
            ),
            3
          ) AS `_ls_missing_names`
        FROM (
          SELECT
            `t`.*,
            CASE WHEN COALESCE(`_ls_f0`.`f_0_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_0`,
            CASE WHEN COALESCE(`_ls_f0`.`k_0_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_0`,
            CASE WHEN COALESCE(`_ls_f0`.`f_1_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_1`,
            CASE WHEN COALESCE(`_ls_f0`.`k_1_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_1`,
            CASE WHEN COALESCE(`_ls_f0`.`f_2_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_2`,
            CASE WHEN COALESCE(`_ls_f0`.`k_2_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_2`,
            CASE WHEN COALESCE(`_ls_f0`.`f_3_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_3`,
            CASE WHEN COALESCE(`_ls_f0`.`k_3_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_3`,
            CASE WHEN COALESCE(`_ls_f1`.`f_4_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_4`,
            CASE WHEN COALESCE(`_ls_f1`.`k_4_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_4`,
            CASE WHEN COALESCE(`_ls_f2`.`f_5_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_5`,
            CASE WHEN COALESCE(`_ls_f2`.`k_5_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_5`,
            CASE WHEN COALESCE(`_ls_f3`.`f_6_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_6`,
            CASE WHEN COALESCE(`_ls_f3`.`k_6_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_6`,
            CASE WHEN COALESCE(`_ls_f4`.`f_7_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_7`,
            CASE WHEN COALESCE(`_ls_f4`.`k_7_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_7`,
            CASE
              WHEN COALESCE(`_ls_f4`.`f_8_0`, 0) = 1 AND COALESCE(`_ls_f5`.`f_8_1`, 0) = 1
              THEN 1
              ELSE 0
            END AS `_ls_f_8`,
            CASE
              WHEN (
                COALESCE(`_ls_f4`.`k_8_0`, 0) = 1 AND COALESCE(`_ls_f5`.`k_8_1`, 0) = 1
              )
              OR (
                COALESCE(`_ls_f4`.`k_8_0`, 0) = 1 AND NOT COALESCE(`_ls_f4`.`f_8_0`, 0) = 1
              )
              OR (
                COALESCE(`_ls_f5`.`k_8_1`, 0) = 1 AND NOT COALESCE(`_ls_f5`.`f_8_1`, 0) = 1
              )
              THEN 1
              ELSE 0
            END AS `_ls_k_8`,
            CASE WHEN COALESCE(`_ls_f6`.`f_9_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_9`,
            CASE WHEN COALESCE(`_ls_f6`.`k_9_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_9`,
            CASE WHEN COALESCE(`_ls_f7`.`f_10_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_10`,
            CASE WHEN COALESCE(`_ls_f7`.`k_10_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_10`,
            CASE WHEN COALESCE(`_ls_f8`.`f_11_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_11`,
            CASE WHEN COALESCE(`_ls_f8`.`k_11_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_11`,
            CASE WHEN COALESCE(`_ls_f9`.`f_12_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_12`,
            CASE WHEN COALESCE(`_ls_f9`.`k_12_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_12`,
            CASE WHEN COALESCE(`_ls_f10`.`f_13_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_13`,
            CASE WHEN COALESCE(`_ls_f10`.`k_13_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_13`,
            CASE WHEN COALESCE(`_ls_f11`.`f_14_0`, 1) = 1 THEN 1 ELSE 0 END AS `_ls_f_14`,
            CASE WHEN COALESCE(`_ls_f11`.`k_14_0`, 1) = 1 THEN 1 ELSE 0 END AS `_ls_k_14`,
            CASE WHEN COALESCE(`_ls_f12`.`f_15_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_15`,
            CASE WHEN COALESCE(`_ls_f12`.`k_15_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_15`,
            CASE WHEN COALESCE(`_ls_f13`.`f_16_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_16`,
            CASE WHEN COALESCE(`_ls_f13`.`k_16_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_16`,
            CASE WHEN COALESCE(`_ls_f14`.`f_17_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_17`,
            CASE WHEN COALESCE(`_ls_f14`.`k_17_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_17`,
            CASE WHEN COALESCE(`_ls_f15`.`f_18_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_18`,
            CASE WHEN COALESCE(`_ls_f15`.`k_18_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_18`,
            CASE WHEN COALESCE(`_ls_f15`.`f_19_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_19`,
            CASE WHEN COALESCE(`_ls_f15`.`k_19_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_19`,
            CASE WHEN COALESCE(`_ls_f16`.`f_20_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_f_20`,
            CASE WHEN COALESCE(`_ls_f16`.`k_20_0`, 0) = 1 THEN 1 ELSE 0 END AS `_ls_k_20`
          FROM `leads` AS `t`
          LEFT JOIN `_ls_lookup_0` AS `_ls_f0`
            ON CAST(`t`.`employees` AS STRING) = `_ls_f0`.`raw`
          LEFT JOIN `_ls_lookup_1` AS `_ls_f1`
            ON CAST(`t`.`industry` AS STRING) = `_ls_f1`.`raw`
          LEFT JOIN `_ls_lookup_2` AS `_ls_f2`
            ON CAST(`t`.`region` AS STRING) = `_ls_f2`.`raw`
          LEFT JOIN `_ls_lookup_3` AS `_ls_f3`
            ON CAST(`t`.`region2` AS STRING) = `_ls_f3`.`raw`
          LEFT JOIN `_ls_lookup_4` AS `_ls_f4`
            ON CAST(`t`.`demo` AS STRING) = `_ls_f4`.`raw`
          LEFT JOIN `_ls_lookup_5` AS `_ls_f5`
            ON CAST(`t`.`pricing` AS STRING) = `_ls_f5`.`raw`
          LEFT JOIN `_ls_lookup_6` AS `_ls_f6`
            ON CAST(`t`.`webinar` AS STRING) = `_ls_f6`.`raw`
          LEFT JOIN `_ls_lookup_7` AS `_ls_f7`
            ON CAST(`t`.`plan` AS STRING) = `_ls_f7`.`raw`
          LEFT JOIN `_ls_lookup_8` AS `_ls_f8`
            ON CAST(`t`.`code` AS STRING) = `_ls_f8`.`raw`
          LEFT JOIN `_ls_lookup_9` AS `_ls_f9`
            ON CAST(`t`.`careers` AS STRING) = `_ls_f9`.`raw`
          LEFT JOIN `_ls_lookup_10` AS `_ls_f10`
            ON CAST(`t`.`student` AS STRING) = `_ls_f10`.`raw`
          LEFT JOIN `_ls_lookup_11` AS `_ls_f11`
            ON CAST(`t`.`phone` AS STRING) = `_ls_f11`.`raw`
          LEFT JOIN `_ls_lookup_12` AS `_ls_f12`
            ON CAST(`t`.`source` AS STRING) = `_ls_f12`.`raw`
          LEFT JOIN `_ls_lookup_13` AS `_ls_f13`
            ON CAST(`t`.`Revenue [EUR]` AS STRING) = `_ls_f13`.`raw`
          LEFT JOIN `_ls_lookup_14` AS `_ls_f14`
            ON CAST(`t`.`growth` AS STRING) = `_ls_f14`.`raw`
          LEFT JOIN `_ls_lookup_15` AS `_ls_f15`
            ON CAST(`t`.`deal_size` AS STRING) = `_ls_f15`.`raw`
          LEFT JOIN `_ls_lookup_16` AS `_ls_f16`
            ON CAST(`t`.`flagtext` AS STRING) = `_ls_f16`.`raw`
        ) AS `p`
      ) AS `p`
    ) AS `p`
  ) AS `p`
) AS `p`
