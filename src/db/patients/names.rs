//! The statements of a name lookup, as SQL text built for the number of words typed (each shape
//! is prepared once per pooled connection: `db::conn`).
//!
//! Three statements, each run only when the ones before found less than a screenful:
//!
//! 1. [`exact_sql`]: a typed word (or a run of two or three, "garcia marquez") as the whole
//!    surname, with the other words as the name typed, the start of the first given name or the
//!    start of the second (sql/0029's `patients_middle_names`). Every probe is a range of an index
//!    under one surname, so the cost does not grow with how common the surname is. With one word
//!    typed, the surname's range itself, longer surnames included, which is what a partial
//!    surname wants.
//! 2. [`longer_sql`]: a typed word or run as the start of a longer surname ("smith" for
//!    Smith-Jones, "van g" for van Grinsven): the first few distinct surnames in that range, found
//!    one index probe each (a loose index scan), each probed as in 1; or, where the other words
//!    are in the longer surname itself, its patients.
//! 3. [`similar_sql`]: typos, through the `patient_name_words` dictionary.

use super::search::{HIT_COLS, NEXT_APPOINTMENT, TOP};

/// How many longer surnames are tested for holding a typed word: one probe each. Typing on
/// narrows the range ("smith j" to "smith jo").
const LONGER_SURNAMES: usize = 8;

/// How many near words of a mistyped word are tried.
const NEAR_WORDS: i64 = 8;

/// Typed word `n` folded the way the index keys are, read from [`words_cte`].
pub(super) fn folded(n: usize) -> String {
    format!("(SELECT tw.w{n} FROM tw)")
}

/// The typed words folded once per statement (`clinic.fold` is an SQL function that is not
/// inlined, so each call runs its own small executor). Written `clinic.fold($n)` at every use,
/// a generic plan would fold the word again at every probe and, in a filter, at every row it
/// tests; read from this CTE it is folded once and each use is an init plan.
fn words_cte(n: usize) -> String {
    let cols: Vec<String> = (1..=n)
        .map(|k| format!("clinic.fold(${k}) AS w{k}"))
        .collect();
    format!("tw AS MATERIALIZED (SELECT {})", cols.join(", "))
}

/// Word `n` starts a word of the name: a cheap substring test first (evaluated first, being
/// cheaper), then the exact one, where a hyphen also starts a word ("smith-jones").
fn word_starts(n: usize) -> String {
    let w = folded(n);
    format!(
        "p.name_folded LIKE '%' || {w} || '%' \
         AND pg_catalog.strpos(' ' || pg_catalog.translate(p.name_folded, '-', ' '), ' ' || {w}) > 0"
    )
}

/// The given names after the first, as sql/0029 indexes them.
const MIDDLE: &str = "clinic.middle_names(p.name_folded, p.family_folded)";
/// sql/0029's keys, written exactly as its indexes are: the surname and the given names after the
/// first; the first given name (a hyphen ends it: "mary" of "mary-ann") and the surname.
const MIDDLE_KEY: &str =
    "(p.family_folded || E'\\x1f' || clinic.middle_names(p.name_folded, p.family_folded))";
const FIRST_NAME_KEY: &str = "(pg_catalog.split_part(pg_catalog.translate(p.name_folded, '-', ' '), ' ', 1) || E'\\x1f' || p.family_folded)";
/// The same separator, to build a key from typed words.
const SEP: &str = "E'\\x1f'";

/// What may be the surname: each typed word, then each run of two or three words in typed order
/// (surnames of several words: "garcia marquez", "van der berg").
fn surname_candidates(n: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = (1..=n).map(|k| vec![k]).collect();
    for len in 2..=n.min(3) {
        for start in 1..=n + 1 - len {
            out.push((start..start + len).collect());
        }
    }
    out
}

/// The typed words `members`, folded and joined by a space as a surname would be.
fn joined(members: &[usize]) -> String {
    let parts: Vec<String> = members.iter().map(|&k| folded(k)).collect();
    format!("pg_catalog.concat_ws(' ', {})", parts.join(", "))
}

/// The probes of one known surname `s` (SQL) for the other typed words: the first as the first
/// given name's start (tier 1) or the second's (tier 2), the rest starting any word of the name. Each is a range of an index under that one surname, at most `limit` rows.
fn given_probes(s: &str, others: &[usize], dob: &str, limit: usize) -> Vec<String> {
    let Some((&first, rest)) = others.split_first() else {
        return Vec::new();
    };
    let f = folded(first);
    let rest: String = rest
        .iter()
        .map(|&j| format!(" AND {}", word_starts(j)))
        .collect();
    vec![
        format!(
            "(SELECT p.id, 1 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
               WHERE p.family_folded = {s} AND p.name_folded ~>=~ {f} AND p.name_folded ~<~ ({f} || {TOP}){rest}{dob}
               ORDER BY p.name_folded USING ~<~ LIMIT ${limit})"
        ),
        format!(
            "(SELECT p.id, 2 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
               WHERE {MIDDLE} <> '' AND {MIDDLE_KEY} ~>=~ ({s} || {SEP} || {f})
                 AND {MIDDLE_KEY} ~<~ ({s} || {SEP} || {f} || {TOP}){rest}{dob}
               ORDER BY {MIDDLE_KEY} USING ~<~ LIMIT ${limit})"
        ),
    ]
}

/// Ranked and cut to a screenful before the rows and next appointments are fetched.
fn ranked(with: &str, hits: &[String], limit: usize, seen: Option<usize>) -> String {
    let not_seen = seen.map_or(String::new(), |s| format!(" WHERE id <> ALL (${s})"));
    format!(
        "{with} hits AS ({}),
         best AS (SELECT id, min(tier) AS tier, family_folded, name_folded FROM hits{not_seen}
                   GROUP BY id, family_folded, name_folded
                   ORDER BY 2, 3 USING ~<~, 4 USING ~<~, 1 LIMIT ${limit})
         SELECT {HIT_COLS} FROM best h JOIN clinic.patients p ON p.id = h.id {NEXT_APPOINTMENT}
          ORDER BY h.tier, h.family_folded USING ~<~, h.name_folded USING ~<~, h.id",
        hits.join(" UNION ALL ")
    )
}

/// Statement 1: exact surnames. Tiers: 0, exactly the name typed (the other words, in typed order,
/// as the given names); 1, the surname with the first given name starting with the next word
/// ("john smith": John Alfie Smith); 2, with the second given name starting with it ("alfie
/// smith"), or the surname alone when it is all that was typed. With one word: 2 for that surname,
/// 3 for longer ones, read in index order from the prefix's range.
///
/// Parameters: the words `$1..$n`, the limit `$n+1`, and with `born` the birth dates typed
/// `$n+2..$n+3`.
pub(super) fn exact_sql(n: usize, born: bool) -> String {
    let limit = n + 1;
    let dob = born_condition(born, n + 2);
    if n == 1 {
        let w = folded(1);
        return ranked(
            &format!("WITH {},", words_cte(n)),
            &[format!(
                "(SELECT p.id, CASE WHEN p.family_folded = {w} THEN 2 ELSE 3 END AS tier, p.family_folded, p.name_folded
                    FROM clinic.patients p
                   WHERE p.family_folded ~>=~ {w} AND p.family_folded ~<~ ({w} || {TOP}){dob}
                   ORDER BY p.family_folded USING ~<~, p.name_folded USING ~<~ LIMIT ${limit})"
            )],
            limit,
            None,
        );
    }
    let mut hits = Vec::new();
    for members in surname_candidates(n) {
        let s = joined(&members);
        let others: Vec<usize> = (1..=n).filter(|j| !members.contains(j)).collect();
        if others.is_empty() {
            hits.push(format!(
                "(SELECT p.id, 2 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
                   WHERE p.family_folded = {s}{dob} ORDER BY p.name_folded USING ~<~ LIMIT ${limit})"
            ));
            continue;
        }
        let full: Vec<String> = others
            .iter()
            .map(|&j| folded(j))
            .chain([s.clone()])
            .collect();
        hits.push(format!(
            "(SELECT p.id, 0 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
               WHERE p.family_folded = {s} AND p.name_folded = pg_catalog.concat_ws(' ', {}){dob} LIMIT ${limit})",
            full.join(", ")
        ));
        hits.extend(given_probes(&s, &others, &dob, limit));
    }
    ranked(&format!("WITH {},", words_cte(n)), &hits, limit, None)
}

/// Statement 2 (two words or more): longer surnames starting with a typed word or run. Three
/// kinds of probe, each an index range, none reading a common surname's patients through:
/// - a run that is everything typed ("van g") is the surname range itself;
/// - the first other word as the whole first given name, the surname starting with the word or
///   run ("jose garcia" for José García Márquez, "oliver s" while the surname is typed): one range
///   of sql/0029's `patients_first_name`;
/// - the word typed next in the longer surname itself ("smith jones" for Smith-Jones, "van g"
///   for van Gogh before Gerrit van Dijk): the first [`LONGER_SURNAMES`] distinct surnames of the
///   range, one index probe each (a loose index scan), each tested once and read only when it
///   holds the word.
///
/// The rest of the words start a word of the name. Tier 3 where the words typed are all in the
/// surname, 4 where one is a given name.
///
/// Parameters: the words `$1..$n`, the limit `$n+1`, the patients already found `$n+2`, and with
/// `born` the birth dates `$n+3..$n+4`.
pub(super) fn longer_sql(n: usize, born: bool) -> String {
    let limit = n + 1;
    let seen = n + 2;
    let dob = born_condition(born, n + 3);
    let mut scans = Vec::new();
    let mut hits = Vec::new();
    for members in surname_candidates(n) {
        let prefix = joined(&members);
        let others: Vec<usize> = (1..=n).filter(|j| !members.contains(j)).collect();
        let Some(&first) = others.first() else {
            hits.push(format!(
                "(SELECT p.id, 3 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
                   WHERE p.family_folded ~>~ {prefix} AND p.family_folded ~<~ ({prefix} || {TOP}){dob}
                   ORDER BY p.family_folded USING ~<~, p.name_folded USING ~<~ LIMIT ${limit})"
            ));
            continue;
        };
        let f = folded(first);
        let rest: String = others[1..]
            .iter()
            .map(|&j| format!(" AND {}", word_starts(j)))
            .collect();
        hits.push(format!(
            "(SELECT p.id, 4 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
               WHERE {FIRST_NAME_KEY} ~>~ ({f} || {SEP} || {prefix})
                 AND {FIRST_NAME_KEY} ~<~ ({f} || {SEP} || {prefix} || {TOP}){rest}{dob}
               ORDER BY {FIRST_NAME_KEY} USING ~<~ LIMIT ${limit})"
        ));
        // The word typed right after the start of a surname may be the rest of it; one typed
        // elsewhere is a given name, which the probe above covers.
        if members.last().map(|&m| m + 1) != Some(first) {
            continue;
        }
        let k = scans.len() + 1;
        scans.push(format!(
            "fam{k}(s, k) AS (
               (SELECT p.family_folded, 1 FROM clinic.patients p
                 WHERE p.family_folded ~>~ {prefix} AND p.family_folded ~<~ ({prefix} || {TOP})
                 ORDER BY p.family_folded USING ~<~ LIMIT 1)
               UNION ALL
               (SELECT (SELECT p.family_folded FROM clinic.patients p
                         WHERE p.family_folded ~>~ f.s AND p.family_folded ~<~ ({prefix} || {TOP})
                         ORDER BY p.family_folded USING ~<~ LIMIT 1), f.k + 1
                  FROM fam{k} f WHERE f.s IS NOT NULL AND f.k < {LONGER_SURNAMES}))"
        ));
        hits.push(format!(
            "(SELECT m.* FROM fam{k} c CROSS JOIN LATERAL (
                SELECT p.id, 3 AS tier, p.family_folded, p.name_folded FROM clinic.patients p
                 WHERE pg_catalog.strpos(' ' || pg_catalog.translate(c.s, '-', ' '), ' ' || {f}) > 0
                   AND p.family_folded = c.s{rest}{dob}
                 ORDER BY p.name_folded USING ~<~ LIMIT ${limit}) m
              WHERE c.s IS NOT NULL)"
        ));
    }
    let with = if scans.is_empty() {
        format!("WITH {},", words_cte(n))
    } else {
        format!("WITH RECURSIVE {}, {},", words_cte(n), scans.join(",\n"))
    };
    ranked(&with, &hits, limit, Some(seen))
}

/// Typo-tolerant matches, for when the exact and prefix ones are few. Each typed word's near words
/// come from the dictionary (one GIN lookup each), the word itself first if it is one, then the
/// commonest. For each word taken as the surname (and each run of two or three words, for surnames
/// like "garcia marqeuz"), each of its near words is tried as an exact surname and, when more was
/// typed, each near word of the next word (or that word as typed, perhaps unfinished) as the start
/// of the first given name: every probe is one small range of `patients_family_name`, so the cost
/// does not grow with how common a surname is. Remaining words must be near or start a word of the
/// name. Ranked by how much was typed exactly, then by how common the corrected surname and given
/// name are ("smiht john" is John Smith before John Smit), then by how close the whole name is.
/// `$n+1` is the limit, `$n+2` the patients already found, `$n+3` to `$n+4` the birth dates
/// typed (with `born`).
pub(super) fn similar_sql(n: usize, born: bool) -> String {
    let limit = n + 1;
    let seen = n + 2;
    let dob = born_condition(born, n + 3);
    let near_words = |j: usize| {
        format!("(SELECT pg_catalog.array_agg(near.word) FROM near WHERE near.ord = {j})")
    };
    // What may be the surname: each word, and each run of two or three words for surnames of
    // several ("de lcua" is De Luca). Runs get ords after the words'.
    let surnames: Vec<(usize, Vec<usize>)> = surname_candidates(n)
        .into_iter()
        .enumerate()
        .map(|(i, members)| (i + 1, members))
        .collect();
    let typed = surnames
        .iter()
        .map(|(ord, words)| {
            let parts: Vec<String> = words.iter().map(|&k| folded(k)).collect();
            format!("({ord}, pg_catalog.concat_ws(' ', {}))", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut branches = Vec::new();
    for (ord, members) in &surnames {
        let others: Vec<usize> = (1..=n).filter(|j| !members.contains(j)).collect();
        let mut cond = vec![
            "p.family_folded = c.word".to_string(),
            format!("p.id <> ALL (${seen})"),
        ];
        if born {
            cond.push(dob.trim_start_matches(" AND ").to_string());
        }
        let (mut given, mut given_exact, mut given_count) =
            (String::new(), "0".to_string(), "NULL::bigint");
        if let Some((&first, rest)) = others.split_first() {
            given = format!(
                "CROSS JOIN (SELECT near.word, near.patient_count FROM near WHERE near.ord = {first}
                             UNION ALL SELECT {}, NULL) AS g(word, patient_count)",
                folded(first)
            );
            given_exact = format!("(g.word = {})::int", folded(first));
            given_count = "g.patient_count";
            cond.push("p.name_folded ~>=~ g.word".to_string());
            cond.push(format!("p.name_folded ~<~ (g.word || {TOP})"));
            for &j in rest {
                cond.push(format!(
                    "(pg_catalog.string_to_array(pg_catalog.translate(p.name_folded, '-', ' '), ' ') && {} OR ({}))",
                    near_words(j),
                    word_starts(j)
                ));
            }
        }
        branches.push(branch(
            *ord,
            &given,
            &given_exact,
            given_count,
            &cond,
            limit,
        ));
    }
    format!(
        "WITH {words}, typed(ord, w) AS (VALUES {typed}),
         near AS (
           SELECT t.ord, d.word, d.patient_count
             FROM typed t
             CROSS JOIN LATERAL (
               SELECT d.word, d.patient_count FROM clinic.patient_name_words d
                WHERE d.variants && clinic.name_variants(t.w)
                ORDER BY d.word = t.w DESC, d.patient_count DESC, d.word LIMIT {NEAR_WORDS}) d),
         hits AS ({branches}),
         best AS (SELECT id, family_folded, name_folded, max(exact) AS exact, max(surname_count) AS surname_count,
                         max(given_count) AS given_count
                    FROM hits GROUP BY id, family_folded, name_folded),
         -- Ranked and cut to a screenful before the rows and next appointments are fetched.
         ranked AS (SELECT h.*, row_number() OVER (
                            ORDER BY h.exact DESC, h.surname_count DESC, h.given_count DESC NULLS LAST, {closeness}
                                     h.family_folded USING ~<~, h.name_folded USING ~<~, h.id) AS rank
                      FROM best h ORDER BY rank LIMIT ${limit})
         SELECT {HIT_COLS} FROM ranked h JOIN clinic.patients p ON p.id = h.id {NEXT_APPOINTMENT}
          ORDER BY h.rank",
        words = words_cte(n),
        branches = branches.join(" UNION ALL "),
        // With one word every candidate is equally close to it; with more, the whole name decides.
        closeness = if n > 1 {
            format!(
                "ext.similarity(h.name_folded, (SELECT pg_catalog.string_agg(w, ' ' ORDER BY ord) \
                 FROM typed WHERE ord <= {n})) DESC,"
            )
        } else {
            String::new()
        }
    )
}

/// One branch of [`similar_sql`]: the near words of `ord` (a word or a run of words) as the
/// surname, crossed with the given-name candidates `given` (if any), each a bounded probe.
fn branch(
    ord: usize,
    given: &str,
    given_exact: &str,
    given_count: &str,
    cond: &[String],
    limit: usize,
) -> String {
    format!(
        "(SELECT m.id, m.family_folded, m.name_folded,
                 2 * (c.word = (SELECT t.w FROM typed t WHERE t.ord = {ord}))::int + {given_exact} AS exact,
                 c.patient_count AS surname_count, {given_count} AS given_count
            FROM near c {given}
            CROSS JOIN LATERAL (
              SELECT p.id, p.family_folded, p.name_folded FROM clinic.patients p
               WHERE {cond} ORDER BY p.name_folded USING ~<~ LIMIT ${limit}) m
           WHERE c.ord = {ord})",
        cond = cond.join(" AND ")
    )
}

/// The birth dates typed, as a probe's extra condition on parameters `$first` and `$first+1`.
fn born_condition(born: bool, first: usize) -> String {
    if born {
        format!(" AND p.date_of_birth BETWEEN ${first} AND ${}", first + 1)
    } else {
        String::new()
    }
}
