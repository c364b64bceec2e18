SELECT
  "t".*,
  "o"."Lead_Score_Total",
  "o"."Lead_Score_Firmographic",
  "o"."Lead_Score_Behavioral",
  "o"."Lead_Score_Engagement",
  "o"."Lead_Score_Intent",
  "o"."Lead_Score_Tier",
  "o"."Lead_Score_Version",
  "o"."Lead_Score_Top_Factors",
  "o"."Lead_Score_Missing"
FROM "leads" AS "t"
CROSS JOIN (
  SELECT
    CASE
      WHEN "a"."_ls_a1" = 1 AND "a"."_ls_c1" > 0 AND "a"."_ls_o1" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_1",
    CASE
      WHEN "a"."_ls_m1" = 1
      AND NOT (
        "a"."_ls_a1" = 1 AND "a"."_ls_c1" > 0 AND "a"."_ls_o1" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_1",
    CASE
      WHEN "a"."_ls_a2" = 1 AND "a"."_ls_c2" > 0 AND "a"."_ls_o2" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_2",
    CASE
      WHEN "a"."_ls_m2" = 1
      AND NOT (
        "a"."_ls_a2" = 1 AND "a"."_ls_c2" > 0 AND "a"."_ls_o2" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_2",
    CASE
      WHEN "a"."_ls_a3" = 1 AND "a"."_ls_c3" > 0 AND "a"."_ls_o3" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_3",
    CASE
      WHEN "a"."_ls_m3" = 1
      AND NOT (
        "a"."_ls_a3" = 1 AND "a"."_ls_c3" > 0 AND "a"."_ls_o3" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_3",
    CASE
      WHEN "a"."_ls_a4" = 1 AND "a"."_ls_c4" > 0 AND "a"."_ls_o4" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_4",
    CASE
      WHEN "a"."_ls_m4" = 1
      AND NOT (
        "a"."_ls_a4" = 1 AND "a"."_ls_c4" > 0 AND "a"."_ls_o4" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_4",
    CASE
      WHEN "a"."_ls_a6" = 1 AND "a"."_ls_c6" > 0 AND "a"."_ls_o6" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_6",
    CASE
      WHEN "a"."_ls_m6" = 1
      AND NOT (
        "a"."_ls_a6" = 1 AND "a"."_ls_c6" > 0 AND "a"."_ls_o6" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_6",
    CASE
      WHEN "a"."_ls_a7" = 1 AND "a"."_ls_c7" > 0 AND "a"."_ls_o7" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_7",
    CASE
      WHEN "a"."_ls_m7" = 1
      AND NOT (
        "a"."_ls_a7" = 1 AND "a"."_ls_c7" > 0 AND "a"."_ls_o7" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_7",
    CASE
      WHEN "a"."_ls_a8" = 1 AND "a"."_ls_c8" > 0 AND "a"."_ls_o8" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_8",
    CASE
      WHEN "a"."_ls_m8" = 1
      AND NOT (
        "a"."_ls_a8" = 1 AND "a"."_ls_c8" > 0 AND "a"."_ls_o8" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_8",
    CASE
      WHEN "a"."_ls_a9" = 1 AND "a"."_ls_c9" > 0 AND "a"."_ls_o9" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_9",
    CASE
      WHEN "a"."_ls_m9" = 1
      AND NOT (
        "a"."_ls_a9" = 1 AND "a"."_ls_c9" > 0 AND "a"."_ls_o9" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_9",
    CASE
      WHEN "a"."_ls_a10" = 1 AND "a"."_ls_c10" > 0 AND "a"."_ls_o10" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_10",
    CASE
      WHEN "a"."_ls_m10" = 1
      AND NOT (
        "a"."_ls_a10" = 1 AND "a"."_ls_c10" > 0 AND "a"."_ls_o10" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_10",
    CASE
      WHEN "a"."_ls_a11" = 1 AND "a"."_ls_c11" > 0 AND "a"."_ls_o11" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_11",
    CASE
      WHEN "a"."_ls_m11" = 1
      AND NOT (
        "a"."_ls_a11" = 1 AND "a"."_ls_c11" > 0 AND "a"."_ls_o11" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_11",
    CASE
      WHEN "a"."_ls_a12" = 1 AND "a"."_ls_c12" > 0 AND "a"."_ls_o12" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_12",
    CASE
      WHEN "a"."_ls_m12" = 1
      AND NOT (
        "a"."_ls_a12" = 1 AND "a"."_ls_c12" > 0 AND "a"."_ls_o12" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_12",
    CASE
      WHEN "a"."_ls_a15" = 1 AND "a"."_ls_c15" > 0 AND "a"."_ls_o15" = 1
      THEN 1
      ELSE 0
    END AS "_ls_na_15",
    CASE
      WHEN "a"."_ls_m15" = 1
      AND NOT (
        "a"."_ls_a15" = 1 AND "a"."_ls_c15" > 0 AND "a"."_ls_o15" = 1
      )
      THEN 1
      ELSE 0
    END AS "_ls_num_15"
  FROM (
    SELECT
      MAX(
        CASE
          WHEN TRIM(
            CAST("t"."industry" AS VARCHAR),
            '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
          ) = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a1",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(
              CAST("t"."industry" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            )
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c1",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(
              CAST("t"."industry" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            )
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(
                CAST("t"."industry" AS VARCHAR),
                '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
              ),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o1",
      MIN(
        CASE
          WHEN TRIM(
            CAST("t"."industry" AS VARCHAR),
            '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
          ) IS NULL
          OR LOWER(
            TRIM(
              CAST("t"."industry" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            )
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(
              CAST("t"."industry" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            ),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m1",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a2",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c2",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o2",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m2",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a3",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c3",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o3",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m3",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a4",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c4",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o4",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m4",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a6",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c6",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o6",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m6",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a7",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c7",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o7",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m7",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a8",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c8",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o8",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m8",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a9",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c9",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o9",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m9",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a10",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c10",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o10",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m10",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a11",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c11",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o11",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m11",
      MAX(
        CASE
          WHEN TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a12",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c12",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o12",
      MIN(
        CASE
          WHEN TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') IS NULL
          OR LOWER(
            TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m12",
      MAX(
        CASE
          WHEN TRIM(
            CAST("t"."flagtext" AS VARCHAR),
            '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
          ) = 'NA'
          THEN 1
          ELSE 0
        END
      ) AS "_ls_a15",
      COUNT(
        CASE
          WHEN NOT LOWER(
            TRIM(
              CAST("t"."flagtext" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            )
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN 1
        END
      ) AS "_ls_c15",
      MIN(
        CASE
          WHEN NOT LOWER(
            TRIM(
              CAST("t"."flagtext" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            )
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          THEN CASE
            WHEN REGEXP_LIKE(
              TRIM(
                CAST("t"."flagtext" AS VARCHAR),
                '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
              ),
              '^[A-Z]{2,5}$'
            )
            THEN 1
            ELSE 0
          END
        END
      ) AS "_ls_o15",
      MIN(
        CASE
          WHEN TRIM(
            CAST("t"."flagtext" AS VARCHAR),
            '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
          ) IS NULL
          OR LOWER(
            TRIM(
              CAST("t"."flagtext" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            )
          ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
          OR REGEXP_LIKE(
            TRIM(
              CAST("t"."flagtext" AS VARCHAR),
              '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
            ),
            '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
          )
          THEN 1
          ELSE 0
        END
      ) AS "_ls_m15"
    FROM "leads" AS "t"
  ) AS "a"
) AS "k"
CROSS JOIN LATERAL (
  SELECT
    CASE
      WHEN LOWER(
        TRIM(
          CAST("t"."employees" AS VARCHAR),
          '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
        )
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      THEN NULL
      ELSE TRIM(
        CAST("t"."employees" AS VARCHAR),
        '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
      )
    END AS "_ls_v_0",
    CASE
      WHEN LOWER(
        TRIM(
          CAST("t"."industry" AS VARCHAR),
          '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
        )
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(
          CAST("t"."industry" AS VARCHAR),
          '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
        ) = 'NA'
        AND "k"."_ls_na_1" = 1
      )
      THEN NULL
      ELSE TRIM(
        CAST("t"."industry" AS VARCHAR),
        '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
      )
    END AS "_ls_v_1",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_2" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."region" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_2",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_3" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."region2" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_3",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_4" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."demo" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_4",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."pricing" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      THEN NULL
      ELSE TRIM(CAST("t"."pricing" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_5",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_6" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."webinar" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_6",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_7" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."plan" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_7",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_8" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."code" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_8",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_9" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."careers" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_9",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_10" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."student" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_10",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_11" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."phone" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_11",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　') = 'NA'
        AND "k"."_ls_na_12" = 1
      )
      THEN NULL
      ELSE TRIM(CAST("t"."source" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_12",
    CASE
      WHEN LOWER(
        TRIM(
          CAST("t"."Revenue [EUR]" AS VARCHAR),
          '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
        )
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      THEN NULL
      ELSE TRIM(
        CAST("t"."Revenue [EUR]" AS VARCHAR),
        '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
      )
    END AS "_ls_v_13",
    CASE
      WHEN LOWER(
        TRIM(CAST("t"."growth" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      THEN NULL
      ELSE TRIM(CAST("t"."growth" AS VARCHAR), '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　')
    END AS "_ls_v_14",
    CASE
      WHEN LOWER(
        TRIM(
          CAST("t"."flagtext" AS VARCHAR),
          '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
        )
      ) IN ('', '#n/a', '-', '--', '?', 'n/a', 'na', 'nan', 'null', 'select', 'unknown')
      AND NOT (
        TRIM(
          CAST("t"."flagtext" AS VARCHAR),
          '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
        ) = 'NA'
        AND "k"."_ls_na_15" = 1
      )
      THEN NULL
      ELSE TRIM(
        CAST("t"."flagtext" AS VARCHAR),
        '\t\n\x0b\f\r\x1c\x1d\x1e\x1f                  　'
      )
    END AS "_ls_v_15"
) AS "v"
CROSS JOIN LATERAL (
  SELECT
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_0",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_0" AS DOUBLE)
    END AS "_ls_n_0",
    LOWER("v"."_ls_v_0") AS "_ls_l_0",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_1",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_1" AS DOUBLE)
    END AS "_ls_n_1",
    LOWER("v"."_ls_v_1") AS "_ls_l_1",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_2",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_2" AS DOUBLE)
    END AS "_ls_n_2",
    LOWER("v"."_ls_v_2") AS "_ls_l_2",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_3",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_3" AS DOUBLE)
    END AS "_ls_n_3",
    LOWER("v"."_ls_v_3") AS "_ls_l_3",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_4",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_4" AS DOUBLE)
    END AS "_ls_n_4",
    LOWER("v"."_ls_v_4") AS "_ls_l_4",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_5",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_5" AS DOUBLE)
    END AS "_ls_n_5",
    LOWER("v"."_ls_v_5") AS "_ls_l_5",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_6",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_6" AS DOUBLE)
    END AS "_ls_n_6",
    LOWER("v"."_ls_v_6") AS "_ls_l_6",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_7",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_7" AS DOUBLE)
    END AS "_ls_n_7",
    LOWER("v"."_ls_v_7") AS "_ls_l_7",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_8",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_8" AS DOUBLE)
    END AS "_ls_n_8",
    LOWER("v"."_ls_v_8") AS "_ls_l_8",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_9",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_9" AS DOUBLE)
    END AS "_ls_n_9",
    LOWER("v"."_ls_v_9") AS "_ls_l_9",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_10",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_10" AS DOUBLE)
    END AS "_ls_n_10",
    LOWER("v"."_ls_v_10") AS "_ls_l_10",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_11",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_11" AS DOUBLE)
    END AS "_ls_n_11",
    LOWER("v"."_ls_v_11") AS "_ls_l_11",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_12",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_12" AS DOUBLE)
    END AS "_ls_n_12",
    LOWER("v"."_ls_v_12") AS "_ls_l_12",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_13",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_13" AS DOUBLE)
    END AS "_ls_n_13",
    LOWER("v"."_ls_v_13") AS "_ls_l_13",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_14",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_14" AS DOUBLE)
    END AS "_ls_n_14",
    LOWER("v"."_ls_v_14") AS "_ls_l_14",
    CASE
      WHEN REGEXP_LIKE(
        "v"."_ls_v_15",
        '^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$'
      )
      THEN CAST("v"."_ls_v_15" AS DOUBLE)
    END AS "_ls_n_15",
    LOWER("v"."_ls_v_15") AS "_ls_l_15"
) AS "n"
CROSS JOIN LATERAL (
  SELECT
    CASE
      WHEN NOT "n"."_ls_n_0" IS NULL
      AND COALESCE(NOT "n"."_ls_n_0" IS NULL AND "n"."_ls_n_0" < CAST(10.0 AS DOUBLE), FALSE)
      THEN 1
      ELSE 0
    END AS "_ls_f_0",
    CASE WHEN NOT "n"."_ls_n_0" IS NULL THEN 1 ELSE 0 END AS "_ls_k_0",
    CASE
      WHEN NOT "n"."_ls_n_0" IS NULL
      AND COALESCE(
        NOT "n"."_ls_n_0" IS NULL
        AND "n"."_ls_n_0" >= CAST(10.0 AS DOUBLE)
        AND "n"."_ls_n_0" < CAST(50.0 AS DOUBLE),
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_1",
    CASE WHEN NOT "n"."_ls_n_0" IS NULL THEN 1 ELSE 0 END AS "_ls_k_1",
    CASE
      WHEN NOT "n"."_ls_n_0" IS NULL
      AND COALESCE(
        NOT "n"."_ls_n_0" IS NULL
        AND "n"."_ls_n_0" >= CAST(50.0 AS DOUBLE)
        AND "n"."_ls_n_0" < CAST(200.0 AS DOUBLE),
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_2",
    CASE WHEN NOT "n"."_ls_n_0" IS NULL THEN 1 ELSE 0 END AS "_ls_k_2",
    CASE
      WHEN NOT "n"."_ls_n_0" IS NULL
      AND COALESCE(NOT "n"."_ls_n_0" IS NULL AND "n"."_ls_n_0" >= CAST(200.0 AS DOUBLE), FALSE)
      THEN 1
      ELSE 0
    END AS "_ls_f_3",
    CASE WHEN NOT "n"."_ls_n_0" IS NULL THEN 1 ELSE 0 END AS "_ls_k_3",
    CASE
      WHEN NOT "v"."_ls_v_1" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_1" IS NULL
        AND CASE
          WHEN "k"."_ls_num_1" = 1
          THEN FALSE
          ELSE "n"."_ls_l_1" IN ('saas', 'fin tech', 'health care')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_4",
    CASE WHEN NOT "v"."_ls_v_1" IS NULL THEN 1 ELSE 0 END AS "_ls_k_4",
    CASE
      WHEN NOT "v"."_ls_v_2" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_2" IS NULL
        AND CASE WHEN "k"."_ls_num_2" = 1 THEN FALSE ELSE "n"."_ls_l_2" IN ('na') END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_5",
    CASE WHEN NOT "v"."_ls_v_2" IS NULL THEN 1 ELSE 0 END AS "_ls_k_5",
    CASE
      WHEN NOT "v"."_ls_v_3" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_3" IS NULL
        AND CASE WHEN "k"."_ls_num_3" = 1 THEN FALSE ELSE "n"."_ls_l_3" IN ('emea') END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_6",
    CASE WHEN NOT "v"."_ls_v_3" IS NULL THEN 1 ELSE 0 END AS "_ls_k_6",
    CASE
      WHEN NOT "v"."_ls_v_4" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_4" IS NULL
        AND CASE
          WHEN "k"."_ls_num_4" = 1
          THEN "n"."_ls_n_4" > 0
          ELSE "n"."_ls_l_4" IN ('1', '1.0', 't', 'true', 'y', 'yes')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_7",
    CASE WHEN NOT "v"."_ls_v_4" IS NULL THEN 1 ELSE 0 END AS "_ls_k_7",
    CASE
      WHEN (
        NOT "v"."_ls_v_4" IS NULL
        AND COALESCE(
          NOT "v"."_ls_v_4" IS NULL
          AND CASE
            WHEN "k"."_ls_num_4" = 1
            THEN "n"."_ls_n_4" > 0
            ELSE "n"."_ls_l_4" IN ('1', '1.0', 't', 'true', 'y', 'yes')
          END,
          FALSE
        )
      )
      AND (
        NOT "n"."_ls_n_5" IS NULL
        AND COALESCE(NOT "n"."_ls_n_5" IS NULL AND "n"."_ls_n_5" >= CAST(3.0 AS DOUBLE), FALSE)
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_8",
    CASE
      WHEN (
        NOT "v"."_ls_v_4" IS NULL AND NOT "n"."_ls_n_5" IS NULL
      )
      OR (
        NOT "v"."_ls_v_4" IS NULL
        AND NOT COALESCE(
          NOT "v"."_ls_v_4" IS NULL
          AND CASE
            WHEN "k"."_ls_num_4" = 1
            THEN "n"."_ls_n_4" > 0
            ELSE "n"."_ls_l_4" IN ('1', '1.0', 't', 'true', 'y', 'yes')
          END,
          FALSE
        )
      )
      OR (
        NOT "n"."_ls_n_5" IS NULL
        AND NOT COALESCE(NOT "n"."_ls_n_5" IS NULL AND "n"."_ls_n_5" >= CAST(3.0 AS DOUBLE), FALSE)
      )
      THEN 1
      ELSE 0
    END AS "_ls_k_8",
    CASE
      WHEN NOT "v"."_ls_v_6" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_6" IS NULL
        AND CASE
          WHEN "k"."_ls_num_6" = 1
          THEN "n"."_ls_n_6" > 0
          ELSE "n"."_ls_l_6" IN ('1', '1.0', 't', 'true', 'y', 'yes')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_9",
    CASE WHEN NOT "v"."_ls_v_6" IS NULL THEN 1 ELSE 0 END AS "_ls_k_9",
    CASE
      WHEN NOT "v"."_ls_v_7" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_7" IS NULL
        AND CASE
          WHEN "k"."_ls_num_7" = 1
          THEN "n"."_ls_n_7" IN (
            CAST(1.0 AS DOUBLE),
            CAST(2.0 AS DOUBLE),
            CAST(3.5 AS DOUBLE),
            CAST(1.0 AS DOUBLE)
          )
          ELSE "n"."_ls_l_7" IN ('1', '2', '3.5')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_10",
    CASE WHEN NOT "v"."_ls_v_7" IS NULL THEN 1 ELSE 0 END AS "_ls_k_10",
    CASE
      WHEN NOT "v"."_ls_v_8" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_8" IS NULL
        AND CASE
          WHEN "k"."_ls_num_8" = 1
          THEN "n"."_ls_n_8" IN (CAST(7.0 AS DOUBLE), CAST(5.0 AS DOUBLE))
          ELSE "n"."_ls_l_8" IN ('007', '5', 'ab c')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_11",
    CASE WHEN NOT "v"."_ls_v_8" IS NULL THEN 1 ELSE 0 END AS "_ls_k_11",
    CASE
      WHEN NOT "v"."_ls_v_9" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_9" IS NULL
        AND CASE
          WHEN "k"."_ls_num_9" = 1
          THEN "n"."_ls_n_9" > 0
          ELSE "n"."_ls_l_9" IN ('1', '1.0', 't', 'true', 'y', 'yes')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_12",
    CASE WHEN NOT "v"."_ls_v_9" IS NULL THEN 1 ELSE 0 END AS "_ls_k_12",
    CASE
      WHEN NOT "v"."_ls_v_10" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_10" IS NULL
        AND CASE
          WHEN "k"."_ls_num_10" = 1
          THEN "n"."_ls_n_10" > 0
          ELSE "n"."_ls_l_10" IN ('1', '1.0', 't', 'true', 'y', 'yes')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_13",
    CASE WHEN NOT "v"."_ls_v_10" IS NULL THEN 1 ELSE 0 END AS "_ls_k_13",
    CASE WHEN TRUE AND COALESCE("v"."_ls_v_11" IS NULL, FALSE) THEN 1 ELSE 0 END AS "_ls_f_14",
    CASE WHEN TRUE THEN 1 ELSE 0 END AS "_ls_k_14",
    CASE
      WHEN NOT "v"."_ls_v_12" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_12" IS NULL
        AND CASE WHEN "k"."_ls_num_12" = 1 THEN FALSE ELSE "n"."_ls_l_12" IN ('referral') END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_15",
    CASE WHEN NOT "v"."_ls_v_12" IS NULL THEN 1 ELSE 0 END AS "_ls_k_15",
    CASE
      WHEN NOT "n"."_ls_n_13" IS NULL
      AND COALESCE(NOT "n"."_ls_n_13" IS NULL AND "n"."_ls_n_13" >= CAST(1000000.0 AS DOUBLE), FALSE)
      THEN 1
      ELSE 0
    END AS "_ls_f_16",
    CASE WHEN NOT "n"."_ls_n_13" IS NULL THEN 1 ELSE 0 END AS "_ls_k_16",
    CASE
      WHEN NOT "n"."_ls_n_14" IS NULL
      AND COALESCE(
        NOT "n"."_ls_n_14" IS NULL
        AND "n"."_ls_n_14" >= CAST(-0.5 AS DOUBLE)
        AND "n"."_ls_n_14" < CAST(0.25 AS DOUBLE),
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_17",
    CASE WHEN NOT "n"."_ls_n_14" IS NULL THEN 1 ELSE 0 END AS "_ls_k_17",
    CASE
      WHEN NOT "v"."_ls_v_15" IS NULL
      AND COALESCE(
        NOT "v"."_ls_v_15" IS NULL
        AND CASE
          WHEN "k"."_ls_num_15" = 1
          THEN "n"."_ls_n_15" IN (CAST(1.0 AS DOUBLE))
          ELSE "n"."_ls_l_15" IN ('true')
        END,
        FALSE
      )
      THEN 1
      ELSE 0
    END AS "_ls_f_18",
    CASE WHEN NOT "v"."_ls_v_15" IS NULL THEN 1 ELSE 0 END AS "_ls_k_18"
) AS "s"
CROSS JOIN LATERAL (
  SELECT
    (
      "s"."_ls_f_0" * 4 + "s"."_ls_f_1" * 8 + "s"."_ls_f_2" * 12 + "s"."_ls_f_3" * 20 + "s"."_ls_f_4" * 15 + "s"."_ls_f_5" * 3 + "s"."_ls_f_6" * 2
    ) AS "_ls_raw_firmographic",
    (
      (
        1 - "s"."_ls_k_0"
      ) * 4 + (
        1 - "s"."_ls_k_1"
      ) * 8 + (
        1 - "s"."_ls_k_2"
      ) * 12 + (
        1 - "s"."_ls_k_3"
      ) * 20 + (
        1 - "s"."_ls_k_4"
      ) * 15 + (
        1 - "s"."_ls_k_5"
      ) * 3 + (
        1 - "s"."_ls_k_6"
      ) * 2
    ) AS "_ls_extra_firmographic",
    (
      "s"."_ls_f_10" * 7 + "s"."_ls_f_11" * 9 + "s"."_ls_f_16" * 9 + "s"."_ls_f_17" * 3
    ) AS "_ls_raw_behavioral",
    (
      (
        1 - "s"."_ls_k_10"
      ) * 7 + (
        1 - "s"."_ls_k_11"
      ) * 9 + (
        1 - "s"."_ls_k_16"
      ) * 9 + (
        1 - "s"."_ls_k_17"
      ) * 3
    ) AS "_ls_extra_behavioral",
    (
      "s"."_ls_f_9" * 6 + "s"."_ls_f_15" * 6 + "s"."_ls_f_18" * 2
    ) AS "_ls_raw_engagement",
    (
      (
        1 - "s"."_ls_k_9"
      ) * 6 + (
        1 - "s"."_ls_k_15"
      ) * 6 + (
        1 - "s"."_ls_k_18"
      ) * 2
    ) AS "_ls_extra_engagement",
    (
      "s"."_ls_f_7" * 18 + "s"."_ls_f_8" * 12
    ) AS "_ls_raw_intent",
    (
      (
        1 - "s"."_ls_k_7"
      ) * 18 + (
        1 - "s"."_ls_k_8"
      ) * 12
    ) AS "_ls_extra_intent",
    (
      "s"."_ls_f_12" * -6 + "s"."_ls_f_13" * -8 + "s"."_ls_f_14" * -3
    ) AS "_ls_raw_negative",
    (
      (
        1 - "s"."_ls_k_0"
      ) * 4 + (
        1 - "s"."_ls_k_1"
      ) * 8 + (
        1 - "s"."_ls_k_2"
      ) * 12 + (
        1 - "s"."_ls_k_3"
      ) * 20 + (
        1 - "s"."_ls_k_4"
      ) * 15 + (
        1 - "s"."_ls_k_5"
      ) * 3 + (
        1 - "s"."_ls_k_6"
      ) * 2 + (
        1 - "s"."_ls_k_7"
      ) * 18 + (
        1 - "s"."_ls_k_8"
      ) * 12 + (
        1 - "s"."_ls_k_9"
      ) * 6 + (
        1 - "s"."_ls_k_10"
      ) * 7 + (
        1 - "s"."_ls_k_11"
      ) * 9 + (
        1 - "s"."_ls_k_12"
      ) * 6 + (
        1 - "s"."_ls_k_13"
      ) * 8 + (
        1 - "s"."_ls_k_14"
      ) * 3 + (
        1 - "s"."_ls_k_15"
      ) * 6 + (
        1 - "s"."_ls_k_16"
      ) * 9 + (
        1 - "s"."_ls_k_17"
      ) * 3 + (
        1 - "s"."_ls_k_18"
      ) * 2
    ) AS "_ls_missing_weight",
    SUBSTRING(
      CONCAT(
        CASE WHEN "s"."_ls_f_3" = 1 THEN '; size_xl (+20)' ELSE '' END,
        CASE WHEN "s"."_ls_f_7" = 1 THEN '; Requested a demo (+18)' ELSE '' END,
        CASE WHEN "s"."_ls_f_4" = 1 THEN '; Industry we win in (+15)' ELSE '' END,
        CASE
          WHEN "s"."_ls_f_2" = 1 AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4"
          ) < 3
          THEN '; size_large (+12)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_8" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2"
          ) < 3
          THEN '; Demo and pricing 3+ (+12)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_11" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8"
          ) < 3
          THEN '; code (+9)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_16" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11"
          ) < 3
          THEN '; revenue (+9)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_1" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16"
          ) < 3
          THEN '; size_mid (+8)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_13" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1"
          ) < 3
          THEN '; student (−8)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_10" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13"
          ) < 3
          THEN '; plan (+7)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_9" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10"
          ) < 3
          THEN '; webinar (+6)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_12" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9"
          ) < 3
          THEN '; careers (−6)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_15" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12"
          ) < 3
          THEN '; Rep\'s "pick"; referral – über (+6)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_0" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12" + "s"."_ls_f_15"
          ) < 3
          THEN '; size_small (+4)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_5" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12" + "s"."_ls_f_15" + "s"."_ls_f_0"
          ) < 3
          THEN '; north_america (+3)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_14" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12" + "s"."_ls_f_15" + "s"."_ls_f_0" + "s"."_ls_f_5"
          ) < 3
          THEN '; No phone (−3)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_17" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12" + "s"."_ls_f_15" + "s"."_ls_f_0" + "s"."_ls_f_5" + "s"."_ls_f_14"
          ) < 3
          THEN '; flat_growth (+3)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_6" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12" + "s"."_ls_f_15" + "s"."_ls_f_0" + "s"."_ls_f_5" + "s"."_ls_f_14" + "s"."_ls_f_17"
          ) < 3
          THEN '; emea (+2)'
          ELSE ''
        END,
        CASE
          WHEN "s"."_ls_f_18" = 1
          AND (
            "s"."_ls_f_3" + "s"."_ls_f_7" + "s"."_ls_f_4" + "s"."_ls_f_2" + "s"."_ls_f_8" + "s"."_ls_f_11" + "s"."_ls_f_16" + "s"."_ls_f_1" + "s"."_ls_f_13" + "s"."_ls_f_10" + "s"."_ls_f_9" + "s"."_ls_f_12" + "s"."_ls_f_15" + "s"."_ls_f_0" + "s"."_ls_f_5" + "s"."_ls_f_14" + "s"."_ls_f_17" + "s"."_ls_f_6"
          ) < 3
          THEN '; bool_text (+2)'
          ELSE ''
        END
      ),
      3
    ) AS "_ls_top_factors",
    SUBSTRING(
      CONCAT(
        CASE WHEN "s"."_ls_k_0" = 0 THEN '; size_small' ELSE '' END,
        CASE WHEN "s"."_ls_k_1" = 0 THEN '; size_mid' ELSE '' END,
        CASE WHEN "s"."_ls_k_2" = 0 THEN '; size_large' ELSE '' END,
        CASE WHEN "s"."_ls_k_3" = 0 THEN '; size_xl' ELSE '' END,
        CASE WHEN "s"."_ls_k_4" = 0 THEN '; Industry we win in' ELSE '' END,
        CASE WHEN "s"."_ls_k_5" = 0 THEN '; north_america' ELSE '' END,
        CASE WHEN "s"."_ls_k_6" = 0 THEN '; emea' ELSE '' END,
        CASE WHEN "s"."_ls_k_7" = 0 THEN '; Requested a demo' ELSE '' END,
        CASE WHEN "s"."_ls_k_8" = 0 THEN '; Demo and pricing 3+' ELSE '' END,
        CASE WHEN "s"."_ls_k_9" = 0 THEN '; webinar' ELSE '' END,
        CASE WHEN "s"."_ls_k_10" = 0 THEN '; plan' ELSE '' END,
        CASE WHEN "s"."_ls_k_11" = 0 THEN '; code' ELSE '' END,
        CASE WHEN "s"."_ls_k_12" = 0 THEN '; careers' ELSE '' END,
        CASE WHEN "s"."_ls_k_13" = 0 THEN '; student' ELSE '' END,
        CASE WHEN "s"."_ls_k_14" = 0 THEN '; No phone' ELSE '' END,
        CASE WHEN "s"."_ls_k_15" = 0 THEN '; Rep\'s "pick"; referral – über' ELSE '' END,
        CASE WHEN "s"."_ls_k_16" = 0 THEN '; revenue' ELSE '' END,
        CASE WHEN "s"."_ls_k_17" = 0 THEN '; flat_growth' ELSE '' END,
        CASE WHEN "s"."_ls_k_18" = 0 THEN '; bool_text' ELSE '' END
      ),
      3
    ) AS "_ls_missing_names"
) AS "d"
CROSS JOIN LATERAL (
  SELECT
    (
      CASE
        WHEN "d"."_ls_raw_firmographic" > 30
        THEN 30
        ELSE "d"."_ls_raw_firmographic"
      END + CASE WHEN "d"."_ls_raw_behavioral" > 20 THEN 20 ELSE "d"."_ls_raw_behavioral" END + CASE WHEN "d"."_ls_raw_engagement" > 10 THEN 10 ELSE "d"."_ls_raw_engagement" END + CASE WHEN "d"."_ls_raw_intent" > 25 THEN 25 ELSE "d"."_ls_raw_intent" END + CASE WHEN "d"."_ls_raw_negative" < -10 THEN -10 ELSE "d"."_ls_raw_negative" END
    ) AS "Lead_Score_Total",
    CASE
      WHEN "d"."_ls_raw_firmographic" > 30
      THEN 30
      ELSE "d"."_ls_raw_firmographic"
    END AS "Lead_Score_Firmographic",
    CASE WHEN "d"."_ls_raw_behavioral" > 20 THEN 20 ELSE "d"."_ls_raw_behavioral" END AS "Lead_Score_Behavioral",
    CASE WHEN "d"."_ls_raw_engagement" > 10 THEN 10 ELSE "d"."_ls_raw_engagement" END AS "Lead_Score_Engagement",
    CASE WHEN "d"."_ls_raw_intent" > 25 THEN 25 ELSE "d"."_ls_raw_intent" END AS "Lead_Score_Intent",
    CASE
      WHEN "d"."_ls_missing_weight" >= 77
      THEN 'Unscoreable'
      WHEN (
        CASE
          WHEN "d"."_ls_raw_firmographic" > 30
          THEN 30
          ELSE "d"."_ls_raw_firmographic"
        END + CASE WHEN "d"."_ls_raw_behavioral" > 20 THEN 20 ELSE "d"."_ls_raw_behavioral" END + CASE WHEN "d"."_ls_raw_engagement" > 10 THEN 10 ELSE "d"."_ls_raw_engagement" END + CASE WHEN "d"."_ls_raw_intent" > 25 THEN 25 ELSE "d"."_ls_raw_intent" END + CASE WHEN "d"."_ls_raw_negative" < -10 THEN -10 ELSE "d"."_ls_raw_negative" END
      ) >= 51
      THEN 'Hot'
      WHEN (
        CASE
          WHEN "d"."_ls_raw_firmographic" > 30
          THEN 30
          ELSE "d"."_ls_raw_firmographic"
        END + CASE WHEN "d"."_ls_raw_behavioral" > 20 THEN 20 ELSE "d"."_ls_raw_behavioral" END + CASE WHEN "d"."_ls_raw_engagement" > 10 THEN 10 ELSE "d"."_ls_raw_engagement" END + CASE WHEN "d"."_ls_raw_intent" > 25 THEN 25 ELSE "d"."_ls_raw_intent" END + CASE WHEN "d"."_ls_raw_negative" < -10 THEN -10 ELSE "d"."_ls_raw_negative" END
      ) >= 34
      THEN 'Warm'
      WHEN (
        CASE
          WHEN "d"."_ls_raw_firmographic" > 30
          THEN 30
          ELSE "d"."_ls_raw_firmographic"
        END + CASE WHEN "d"."_ls_raw_behavioral" > 20 THEN 20 ELSE "d"."_ls_raw_behavioral" END + CASE WHEN "d"."_ls_raw_engagement" > 10 THEN 10 ELSE "d"."_ls_raw_engagement" END + CASE WHEN "d"."_ls_raw_intent" > 25 THEN 25 ELSE "d"."_ls_raw_intent" END + CASE WHEN "d"."_ls_raw_negative" < -10 THEN -10 ELSE "d"."_ls_raw_negative" END
      ) >= 24
      THEN 'Cool'
      ELSE 'Cold'
    END AS "Lead_Score_Tier",
    'edge-1' AS "Lead_Score_Version",
    "d"."_ls_top_factors" AS "Lead_Score_Top_Factors",
    CASE
      WHEN "d"."_ls_missing_names" = ''
      THEN ''
      ELSE CONCAT(
        "d"."_ls_missing_names",
        ' (up to +',
        CAST((
          CASE
            WHEN "d"."_ls_raw_firmographic" + "d"."_ls_extra_firmographic" > 30
            THEN 30
            ELSE "d"."_ls_raw_firmographic" + "d"."_ls_extra_firmographic"
          END - CASE
            WHEN "d"."_ls_raw_firmographic" > 30
            THEN 30
            ELSE "d"."_ls_raw_firmographic"
          END + CASE
            WHEN "d"."_ls_raw_behavioral" + "d"."_ls_extra_behavioral" > 20
            THEN 20
            ELSE "d"."_ls_raw_behavioral" + "d"."_ls_extra_behavioral"
          END - CASE WHEN "d"."_ls_raw_behavioral" > 20 THEN 20 ELSE "d"."_ls_raw_behavioral" END + CASE
            WHEN "d"."_ls_raw_engagement" + "d"."_ls_extra_engagement" > 10
            THEN 10
            ELSE "d"."_ls_raw_engagement" + "d"."_ls_extra_engagement"
          END - CASE WHEN "d"."_ls_raw_engagement" > 10 THEN 10 ELSE "d"."_ls_raw_engagement" END + CASE
            WHEN "d"."_ls_raw_intent" + "d"."_ls_extra_intent" > 25
            THEN 25
            ELSE "d"."_ls_raw_intent" + "d"."_ls_extra_intent"
          END - CASE WHEN "d"."_ls_raw_intent" > 25 THEN 25 ELSE "d"."_ls_raw_intent" END
        ) AS VARCHAR),
        ' points)'
      )
    END AS "Lead_Score_Missing"
) AS "o"
