//! Comparing an imported instrument with a vetted (shipped) definition.
//!
//! Public Questionnaires carry wrong weights and forward-listed reverse items;
//! the lint names every difference, with both instruments, so a person
//! decides which is right.

use crate::catalog::Catalog;
use crate::instrument::{Flag, Instrument, Item, Scale, fmt_score};

/// The shipped instrument to compare with: `like` by id, else the one with the same LOINC panel code.
pub fn counterpart<'c>(
    imported: &Instrument,
    catalog: &'c Catalog,
    like: Option<&str>,
) -> Result<Option<&'c Instrument>, String> {
    if let Some(id) = like {
        return catalog.require(id).map(Some);
    }
    let Some(panel) = imported.codes.get("loinc") else {
        return Ok(None);
    };
    Ok(catalog
        .instruments()
        .iter()
        .find(|i| i.id != imported.id && i.codes.get("loinc") == Some(panel)))
}

fn points(item: &Item) -> String {
    item.options
        .iter()
        .map(|o| o.points.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn item_name(item: &Item) -> String {
    match &item.link_id {
        Some(link_id) => format!("item `{}` (linkId `{link_id}`)", item.id),
        None => format!("item `{}`", item.id),
    }
}

/// Pairs the items of two instruments: by LOINC code when both have codes, else by position.
fn pairs<'a>(ours: &'a Instrument, theirs: &'a Instrument) -> Vec<(&'a Item, &'a Item)> {
    let coded = ours.items.iter().all(|i| i.codes.contains_key("loinc"))
        && theirs.items.iter().all(|i| i.codes.contains_key("loinc"));
    if coded {
        ours.items
            .iter()
            .filter_map(|item| {
                theirs
                    .items
                    .iter()
                    .find(|t| t.codes.get("loinc") == item.codes.get("loinc"))
                    .map(|t| (item, t))
            })
            .collect()
    } else {
        ours.items.iter().zip(&theirs.items).collect()
    }
}

/// Where a flag of the vetted instrument can go in the import: the index of
/// the imported item it watches, or why it cannot be carried over.
///
/// A flag is carried only onto an item matched by LOINC code (when both
/// instruments code every item) or by position (when both have as many
/// items), and only when that item scores its options as the vetted one
/// does in printed order: the threshold compares points, so it means the
/// same only then.
pub fn flag_target(ours: &Instrument, theirs: &Instrument, flag: &Flag) -> Result<usize, String> {
    let (a, b) = (format!("`{}`", ours.id), format!("`{}`", theirs.id));
    let vetted = &theirs.items[flag.item];
    let coded = ours.items.iter().all(|i| i.codes.contains_key("loinc"))
        && theirs.items.iter().all(|i| i.codes.contains_key("loinc"));
    let index = if coded {
        let code = &vetted.codes["loinc"];
        ours.items
            .iter()
            .position(|i| i.codes.get("loinc") == Some(code))
            .ok_or_else(|| {
                format!(
                    "no item of {a} has the LOINC code {code} of {b} item `{}`",
                    vetted.id
                )
            })?
    } else if ours.items.len() == theirs.items.len() {
        flag.item
    } else {
        return Err(format!(
            "{a} has {} items and {b} {}, without LOINC codes on every item to match them",
            ours.items.len(),
            theirs.items.len()
        ));
    };
    let mine = &ours.items[index];
    let (p, q) = (points(mine), points(vetted));
    if p != q {
        return Err(format!(
            "{} of {a} scores its options {p} in printed order, {b} item `{}` {q}, so the threshold would not mean the same",
            item_name(mine),
            vetted.id
        ));
    }
    Ok(index)
}

/// The scale of `theirs` that matches `scale`: same LOINC code, else same id, else the first.
fn scale_pair<'a>(scale: &Scale, theirs: &'a Instrument) -> Option<&'a Scale> {
    theirs
        .scales
        .iter()
        .find(|s| s.codes.contains_key("loinc") && s.codes.get("loinc") == scale.codes.get("loinc"))
        .or_else(|| theirs.scales.iter().find(|s| s.id == scale.id))
        .or_else(|| theirs.scales.first())
}

fn missing_rule(scale: &Scale, items: &[Item]) -> String {
    let policy = &scale.missing;
    let mut text = if policy.max_missing == 0 {
        "no missing item allowed".to_owned()
    } else {
        format!("up to {} missing", policy.max_missing)
    };
    if policy.prorate.is_some() {
        text.push_str(", prorated");
    }
    if !policy.required.is_empty() {
        let required: Vec<&str> = policy
            .required
            .iter()
            .map(|&i| items[i].id.as_str())
            .collect();
        text.push_str(&format!(", required {}", required.join(", ")));
    }
    text
}

fn bands(scale: &Scale) -> String {
    if scale.bands.is_empty() {
        return "none".to_owned();
    }
    scale
        .bands
        .iter()
        .map(|b| format!("{} {}-{}", b.id, fmt_score(b.from), fmt_score(b.to)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every difference between `ours` (imported) and `theirs` (vetted), one sentence each.
pub fn differences(ours: &Instrument, theirs: &Instrument) -> Vec<String> {
    let (a, b) = (format!("`{}`", ours.id), format!("`{}`", theirs.id));
    let mut out = Vec::new();
    if ours.items.len() != theirs.items.len() {
        out.push(format!(
            "{a} has {} scored items, {b} has {}",
            ours.items.len(),
            theirs.items.len()
        ));
    }
    for (mine, vetted) in pairs(ours, theirs) {
        let (p, q) = (points(mine), points(vetted));
        if p != q {
            out.push(format!(
                "{} of {a} scores its options {p} in printed order; {b} item `{}` scores {q}",
                item_name(mine),
                vetted.id
            ));
        }
        if mine.is_reverse_keyed() != vetted.is_reverse_keyed() {
            let keying = |item: &Item| {
                if item.is_reverse_keyed() {
                    "reverse-keyed"
                } else {
                    "forward-keyed"
                }
            };
            out.push(format!(
                "{} of {a} is {}; {b} item `{}` is {}",
                item_name(mine),
                keying(mine),
                vetted.id,
                keying(vetted)
            ));
        }
        // The same answer code with different points: the weight itself is wrong somewhere.
        for option in &mine.options {
            let Some(code) = &option.code else { continue };
            if let Some(other) = vetted
                .options
                .iter()
                .find(|o| o.code.as_ref() == Some(code))
                && other.points != option.points
            {
                out.push(format!(
                    "{} of {a}: answer `{code}` weighs {}; in {b} item `{}` it weighs {}",
                    item_name(mine),
                    option.points,
                    vetted.id,
                    other.points
                ));
            }
        }
    }
    // Flags are never imported: say which critical items lose theirs.
    for flag in &theirs.flags {
        let same = ours
            .flags
            .iter()
            .any(|f| f.id == flag.id && f.at_least == flag.at_least);
        if !same {
            out.push(format!(
                "{b} raises the {}flag `{}` when item `{}` scores {} or more; {a} has no such flag (score with {b} to keep it)",
                if flag.urgent { "URGENT " } else { "" },
                flag.id,
                theirs.items[flag.item].id,
                flag.at_least
            ));
        }
    }
    for scale in &ours.scales {
        let Some(vetted) = scale_pair(scale, theirs) else {
            continue;
        };
        let (m, n) = (
            missing_rule(scale, &ours.items),
            missing_rule(vetted, &theirs.items),
        );
        if m != n {
            out.push(format!(
                "missing-data rule of {a}.{}: {m}; {b}.{}: {n}",
                scale.id, vetted.id
            ));
        }
        let (m, n) = (bands(scale), bands(vetted));
        if m != n {
            out.push(format!(
                "bands of {a}.{}: {m}; {b}.{}: {n}",
                scale.id, vetted.id
            ));
        }
    }
    out
}
