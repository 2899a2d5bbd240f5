use super::*;

#[test]
fn timestamps_are_rfc3339_with_the_offset() {
    assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(1_735_689_599, 0), "2024-12-31T23:59:59Z");
    assert_eq!(rfc3339(1_735_689_599, 3600), "2025-01-01T00:59:59+01:00");
    assert_eq!(rfc3339(0, -(5 * 3600 + 1800)), "1969-12-31T18:30:00-05:30");
    assert!(now_local_rfc3339().len() >= 20);
}

#[test]
fn every_day_follows_the_one_before() {
    let mut previous = civil_from_days(-1);
    for day in 0..200_000 {
        let (y, m, d) = civil_from_days(day);
        let (py, pm, pd) = previous;
        let next_day = (y, m, d) == (py, pm, pd + 1);
        let next_month = (y, m, d) == (py, pm + 1, 1);
        let next_year = (y, m, d) == (py + 1, 1, 1) && (pm, pd) == (12, 31);
        assert!(
            next_day || next_month || next_year,
            "{previous:?} -> {y}-{m}-{d}"
        );
        previous = (y, m, d);
    }
}

fn csv_row(header: &[&str], row: &[&str]) -> io::Result<SavedRow> {
    Ok(SavedRow::Csv(
        header.iter().map(|s| (*s).to_owned()).collect(),
        row.iter().map(|s| (*s).to_owned()).collect(),
    ))
}

fn names(header: &[&str]) -> Vec<String> {
    header.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_new_csv_file_gets_the_delimiter_given_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.csv");
    let header = ["row", "a b"];
    let target = check_target(&path, SaveFormat::Csv(b';'), &names(&header)).unwrap();
    let build = |n: u64| csv_row(&header, &[&n.to_string(), "x\ny"]);
    assert_eq!(append(&target, build).unwrap(), 1);
    // A later visit in English checks and keeps the file's `;`.
    let again = check_target(&path, SaveFormat::Csv(b','), &names(&header)).unwrap();
    assert_eq!(again.format, SaveFormat::Csv(b';'));
    assert_eq!(append(&again, build).unwrap(), 2);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, "row;a b\n1;\"x\ny\"\n2;\"x\ny\"\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(readable_by_others(&path), Some(false));
    }
}

#[test]
fn bad_targets_are_found_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let header = names(&["row", "a"]);
    let csv = SaveFormat::Csv(b',');
    let missing = dir.path().join("no-such-dir").join("v.csv");
    assert_eq!(
        check_target(&missing, csv, &header),
        Err(SaveProblem::NoDirectory(dir.path().join("no-such-dir")))
    );
    assert_eq!(
        check_target(dir.path(), csv, &header),
        Err(SaveProblem::NotAFile)
    );
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "row,other\n1,2\n").unwrap();
    assert!(matches!(
        check_target(&other, csv, &header),
        Err(SaveProblem::OtherColumns { .. })
    ));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "row,other\n1,2\n");
    // A huge first line is not read whole.
    let huge = dir.path().join("huge.csv");
    std::fs::write(&huge, "x".repeat(HEADER_LIMIT * 3)).unwrap();
    assert_eq!(
        check_target(&huge, csv, &header),
        Err(SaveProblem::NotVisits)
    );
    let blank = dir.path().join("blank.csv");
    std::fs::write(&blank, "\n\n").unwrap();
    assert_eq!(
        check_target(&blank, csv, &header),
        Err(SaveProblem::NotVisits)
    );
    let jsonl = dir.path().join("v.jsonl");
    std::fs::write(&jsonl, "row,a\n").unwrap();
    assert_eq!(
        check_target(&jsonl, SaveFormat::Jsonl, &header),
        Err(SaveProblem::NotVisits)
    );
    #[cfg(unix)]
    {
        assert_eq!(
            check_target(Path::new("/dev/null"), csv, &header),
            Err(SaveProblem::NotAFile)
        );
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_refused_before_the_visit() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    let result = check_target(&locked.join("v.csv"), SaveFormat::Csv(b','), &[]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    // Root may write anywhere; then there is nothing to refuse.
    if result.is_err() {
        assert!(
            matches!(result, Err(SaveProblem::NoPermission(_))),
            "{result:?}"
        );
    }
}

#[test]
fn a_missing_final_newline_does_not_glue_rows_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.csv");
    std::fs::write(&path, "row,a\n1,x").unwrap();
    let target = check_target(&path, SaveFormat::Csv(b';'), &names(&["row", "a"])).unwrap();
    let row = append(&target, |n| csv_row(&["row", "a"], &[&n.to_string(), "y"])).unwrap();
    assert_eq!(row, 2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "row,a\n1,x\n2,y\n");
}

#[test]
fn json_lines_files_take_any_visit_and_number_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.jsonl");
    let target = check_target(&path, SaveFormat::for_path(&path, b','), &[]).unwrap();
    assert_eq!(target.format, SaveFormat::Jsonl);
    let build = |n: u64| Ok(SavedRow::Json(json!({"row": n, "visit": {"id": "A"}})));
    assert_eq!(append(&target, build).unwrap(), 1);
    let again = check_target(&path, SaveFormat::Jsonl, &[]).unwrap();
    assert_eq!(append(&again, build).unwrap(), 2);
    let saved = read_saved(&path).unwrap();
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[1].id, "A");
}

#[test]
fn concurrent_appends_never_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visits.csv");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let long = format!("{t}").repeat(5000);
                    let target = SaveTarget {
                        path: path.clone(),
                        format: SaveFormat::Csv(b','),
                        exists: false,
                    };
                    append(&target, |n| {
                        csv_row(&["row", "who"], &[&n.to_string(), &long])
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 81);
    assert_eq!(lines[0], "row,who");
    for (n, line) in lines[1..].iter().enumerate() {
        let (number, who) = line.split_once(',').unwrap();
        assert_eq!(number, (n + 1).to_string(), "rows are numbered in order");
        assert_eq!(who.len(), 5000);
        assert!(who.chars().all(|c| c == who.chars().next().unwrap()));
    }
}
