//! What a shell user expects of a command-line tool: completions, manual
//! pages, examples in `--help`, listings, counts in good English, and
//! headings in the language asked for.

mod common;

use common::stepcare;

const SUBCOMMANDS: [&str; 13] = [
    "list",
    "show",
    "validate",
    "verify",
    "score",
    "explain",
    "compare",
    "cutoffs",
    "visit",
    "follow-up",
    "completions",
    "man",
    "schema",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn completions_for_each_shell_name_the_subcommands_and_options() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = stepcare().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = text(&output.stdout);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no `{sub}`");
        }
        assert!(script.contains("sheet"), "{shell}: no --sheet");
    }
    let unknown = stepcare().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn man_prints_the_main_page_or_writes_every_page() {
    let output = stepcare().arg("man").output().unwrap();
    assert!(output.status.success());
    let page = text(&output.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &page[..80]
    );
    assert!(page.contains(".TH stepcare 1"));
    assert!(page.contains("stepcare\\-score"));

    let dir = tempfile::tempdir().unwrap();
    let output = stepcare().arg("man").arg(dir.path()).output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        text(&output.stderr),
        format!("wrote 15 manual pages to `{}`\n", dir.path().display())
    );
    let score = std::fs::read_to_string(dir.path().join("stepcare-score.1")).unwrap();
    assert!(score.contains("\\-\\-sheet"));
    // The examples of --help are in the page too.
    assert!(score.contains("Examples:"));
    for sub in SUBCOMMANDS {
        assert!(
            dir.path().join(format!("stepcare-{sub}.1")).exists(),
            "{sub}"
        );
    }
}

#[test]
fn every_subcommand_help_ends_with_examples() {
    for sub in SUBCOMMANDS {
        let output = stepcare().args([sub, "--help"]).output().unwrap();
        assert!(output.status.success(), "{sub}");
        let help = text(&output.stdout);
        let examples = help
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{sub}: no Examples: in --help"));
        assert!(
            examples.contains(&format!("  stepcare {sub}")),
            "{sub}: {examples}"
        );
    }
}

#[test]
fn show_without_an_id_lists_the_ids() {
    let output = stepcare().arg("show").output().unwrap();
    assert!(output.status.success());
    let listing = text(&output.stdout);
    assert!(listing.starts_with("Instruments (show one with `stepcare show ID`):\n"));
    for id in ["epds", "phq9", "gad7", "whooley", "se-demo"] {
        assert!(
            listing.lines().any(|l| l.trim_start().starts_with(id)),
            "{id}: {listing}"
        );
    }
    let nb = stepcare().args(["show", "--lang", "nb"]).output().unwrap();
    assert!(text(&nb.stdout).starts_with("Instrumenter (vis ett med"));
}

#[test]
fn show_headings_follow_the_language() {
    for (lang, headings) in [
        (
            "nb",
            [
                "Spørsmål (svaralternativer",
                "Skalaer:",
                "Flagg (",
                "kilde:",
            ],
        ),
        (
            "sv",
            ["Frågor (svarsalternativ", "Skalor:", "Flaggor (", "källa:"],
        ),
        ("en", ["Items (options", "Scales:", "Flags (", "source:"]),
    ] {
        let output = stepcare()
            .args(["show", "epds", "--lang", lang])
            .output()
            .unwrap();
        let shown = text(&output.stdout);
        for heading in headings {
            assert!(shown.contains(heading), "{lang}: no `{heading}`");
        }
        if lang != "en" {
            for english in ["Items (", "Scales:", "Flags (", "missing answers:"] {
                assert!(!shown.contains(english), "{lang}: English `{english}`");
            }
        }
    }
    let child = stepcare()
        .args(["show", "se-demo", "--lang", "nb"])
        .output()
        .unwrap();
    let shown = text(&child.stdout);
    assert!(shown.contains("Aldersintervaller ("), "{shown}");
    assert!(shown.contains("IKKE ET KLINISK INSTRUMENT"));
}

#[test]
fn explain_says_no_score_in_the_language_asked_for() {
    let output = stepcare()
        .args([
            "explain",
            "--rules",
            "no-default",
            "--instrument",
            "epds",
            "--answers",
            "q1=2,q2=2,q3=1,q4=1,q5=1,q6=2,q7=2,q8=1,q10=1",
            "--set",
            "respondent=mother",
            "--lang",
            "sv",
        ])
        .output()
        .unwrap();
    let shown = text(&output.stdout);
    assert!(
        shown.contains("ingen poäng: 1 av 10 frågor saknas (ingen får saknas)"),
        "{shown}"
    );
    assert!(!shown.contains("no score"));
}

#[test]
fn counts_of_one_are_singular() {
    let output = stepcare()
        .args(["validate", "instruments/whooley.yaml"])
        .output()
        .unwrap();
    let report = text(&output.stdout) + &text(&output.stderr);
    assert!(!report.contains(" 1 flags"), "{report}");
    assert!(!report.contains(" 1 scales"), "{report}");
    assert!(!report.contains(" 1 items"), "{report}");
    assert!(!report.contains("(s)"), "{report}");
}

#[test]
fn cutoffs_plot_says_where_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("roc.svg");
    let output = stepcare()
        .args([
            "cutoffs",
            "--input",
            "examples/cutoffs.csv",
            "--score",
            "epds_total",
            "--reference",
            "interview",
            "--positive",
            "depressed",
            "--plot",
        ])
        .arg(&plot)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(plot.exists());
    assert!(
        text(&output.stderr).contains(&format!("ROC plot written to `{}`", plot.display())),
        "{}",
        text(&output.stderr)
    );
}
