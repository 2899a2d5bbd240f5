//! Reading records on one thread while the caller scores them on another.
//!
//! Parsing CSV and reading its answer cells cost about what scoring and
//! writing a row cost, so on a machine with two cores running them side by
//! side nearly halves the time of a batch.
//! The reading thread also runs a `prepare` step on each record (reading the
//! answer cells), which balances the two threads and keeps each record's bytes
//! in the cache of the core that parsed them. Records travel in batches that
//! are handed back and reused, so the number of records alive at once is
//! fixed and memory does not grow with the input.
//!
//! A process allowed only one core (`taskset`, a container's CPU quota) reads
//! and scores on the calling thread instead: there a second thread would only
//! add the cost of handing the records over.

use std::io::Read;
use std::sync::mpsc;

use super::BatchError;

/// Records per batch handed from the reading thread to the scoring thread.
const BATCH: usize = 1024;
/// Filled batches that may wait for the scoring thread.
const IN_FLIGHT: usize = 4;
/// Batches in circulation: those in flight, one being filled, one being scored.
const POOL: usize = IN_FLIGHT + 2;

/// Records read and prepared, reused from batch to batch.
struct Batch<T> {
    records: Vec<csv::ByteRecord>,
    /// One prepared value per record; kept with its buffers for the next batch.
    prepared: Vec<T>,
}

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Batch {
            records: Vec::new(),
            prepared: Vec::new(),
        }
    }
}

/// A batch of records read, and the read error that ended it, if any.
struct Filled<T> {
    batch: Batch<T>,
    len: usize,
    error: Option<csv::Error>,
}

/// Calls `each` on every record of `reader`, in order, reading ahead on another thread.
///
/// `prepare` runs on the reading thread and fills a per-record value that
/// `each` then receives (mutably, to finish it) with the record. Values are
/// reused from batch to batch, so buffers inside them are allocated once.
/// Stops at the first error `each` returns; a read error is returned after
/// every record before it has been handed to `each`.
pub fn each_record<R, T, P, E>(
    mut reader: csv::Reader<R>,
    new_value: &(dyn Fn() -> T + Sync),
    prepare: &P,
    each: &mut E,
) -> Result<(), BatchError>
where
    R: Read + Send,
    T: Send,
    P: Fn(&csv::ByteRecord, &mut T) + Sync,
    E: FnMut(&csv::ByteRecord, &mut T) -> Result<(), BatchError>,
{
    if !two_cores() {
        return each_record_inline(reader, new_value, prepare, each);
    }
    std::thread::scope(|scope| {
        let (filled_tx, filled_rx) = mpsc::sync_channel::<Filled<T>>(IN_FLIGHT);
        let (empty_tx, empty_rx) = mpsc::sync_channel::<Batch<T>>(POOL);
        scope.spawn(move || {
            // A fixed pool of batches: new ones only until the pool is full,
            // then wait for one to come back, so no batch (and none of the
            // buffers inside its values) is allocated and dropped over and over.
            let mut made = 0;
            loop {
                let mut batch = match empty_rx.try_recv() {
                    Ok(batch) => batch,
                    Err(_) if made < POOL => {
                        made += 1;
                        Batch::default()
                    }
                    Err(_) => match empty_rx.recv() {
                        Ok(batch) => batch,
                        // The scoring side is gone: nothing more to read for.
                        Err(_) => return,
                    },
                };
                let mut len = 0;
                let mut error = None;
                while len < BATCH {
                    if len == batch.records.len() {
                        batch.records.push(csv::ByteRecord::new());
                        batch.prepared.push(new_value());
                    }
                    match reader.read_byte_record(&mut batch.records[len]) {
                        Ok(true) => {
                            prepare(&batch.records[len], &mut batch.prepared[len]);
                            len += 1;
                        }
                        Ok(false) => break,
                        Err(err) => {
                            error = Some(err);
                            break;
                        }
                    }
                }
                let last = len < BATCH;
                // A closed channel means the scoring side stopped early: stop reading.
                if filled_tx.send(Filled { batch, len, error }).is_err() || last {
                    return;
                }
            }
        });
        consume(filled_rx, empty_tx, each)
    })
}

/// Whether this process may run on two cores or more (its affinity mask and
/// quota allow it): otherwise a reading thread only adds the cost of handing
/// records over.
fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// [`each_record`] on the calling thread alone, through one reused record.
fn each_record_inline<R, T, P, E>(
    mut reader: csv::Reader<R>,
    new_value: &(dyn Fn() -> T + Sync),
    prepare: &P,
    each: &mut E,
) -> Result<(), BatchError>
where
    R: Read,
    P: Fn(&csv::ByteRecord, &mut T),
    E: FnMut(&csv::ByteRecord, &mut T) -> Result<(), BatchError>,
{
    let mut record = csv::ByteRecord::new();
    let mut value = new_value();
    while reader.read_byte_record(&mut record)? {
        prepare(&record, &mut value);
        each(&record, &mut value)?;
    }
    Ok(())
}

/// The scoring side: takes batches in order and gives each back for reuse.
///
/// Taking the receiver by value means an early return closes the channel,
/// which tells the reading thread to stop.
fn consume<T, E>(
    filled_rx: mpsc::Receiver<Filled<T>>,
    empty_tx: mpsc::SyncSender<Batch<T>>,
    each: &mut E,
) -> Result<(), BatchError>
where
    E: FnMut(&csv::ByteRecord, &mut T) -> Result<(), BatchError>,
{
    for mut filled in filled_rx {
        let Batch { records, prepared } = &mut filled.batch;
        for (record, value) in records[..filled.len].iter().zip(prepared.iter_mut()) {
            each(record, value)?;
        }
        if let Some(err) = filled.error {
            return Err(err.into());
        }
        // The pool's size bounds the channel, so this only fails once the
        // reader has stopped.
        let _ = empty_tx.try_send(filled.batch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
    }

    #[test]
    fn every_record_in_order_across_batches() {
        let text: String = (0..(BATCH * 3 + 7)).map(|i| format!("{i},x\n")).collect();
        let mut seen = Vec::new();
        let prepare = |record: &csv::ByteRecord, out: &mut bool| {
            *out = record[1] == *b"x";
        };
        each_record(
            reader(&text),
            &|| false,
            &prepare,
            &mut |record, prepared| {
                assert!(*prepared);
                seen.push(
                    std::str::from_utf8(&record[0])
                        .unwrap()
                        .parse::<usize>()
                        .unwrap(),
                );
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..(BATCH * 3 + 7)).collect::<Vec<_>>());
    }

    #[test]
    fn an_early_stop_ends_the_reader() {
        let text: String = (0..(BATCH * 20)).map(|i| format!("{i}\n")).collect();
        let mut count = 0;
        let result = each_record(reader(&text), &|| (), &|_, _| {}, &mut |_, _| {
            count += 1;
            if count == 10 {
                Err(BatchError::Empty)
            } else {
                Ok(())
            }
        });
        assert!(matches!(result, Err(BatchError::Empty)));
        assert_eq!(count, 10);
    }

    #[test]
    fn inline_reading_gives_every_record_in_order() {
        let text: String = (0..(BATCH + 3)).map(|i| format!("{i}\n")).collect();
        let mut seen = Vec::new();
        each_record_inline(
            reader(&text),
            &|| 0usize,
            &|record, out| *out = record[0].len(),
            &mut |record, len| {
                assert_eq!(*len, record[0].len());
                seen.push(
                    std::str::from_utf8(&record[0])
                        .unwrap()
                        .parse::<usize>()
                        .unwrap(),
                );
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..(BATCH + 3)).collect::<Vec<_>>());
    }

    #[test]
    fn empty_input_calls_nothing() {
        let mut count = 0;
        each_record(reader(""), &|| (), &|_, _| {}, &mut |_, _| {
            count += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(count, 0);
    }
}
