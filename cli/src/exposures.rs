//! `riskdesk exposures get`: a risk dataset's exposures as a wide frame.

use riskdesk::riskdataset::{ExposureQuery, Selection};
use riskdesk::table::Format;
use riskdesk::{Backend, Result};

use crate::args::{Exposures, FrameFormat};
use crate::output::{with_progress, write_output};

/// Runs an `exposures` command.
pub fn run(backend: &dyn Backend, cmd: Exposures) -> Result<()> {
    let Exposures::Get { dataset, start, end, id_type, industries, regions, styles, no_standardize, format, out } = cmd;
    let query = ExposureQuery {
        start,
        end,
        id_type,
        industries: Selection::from_items(&industries, Selection::None),
        regions: Selection::from_items(&regions, Selection::None),
        styles: Selection::from_items(&styles, Selection::All),
        standardize: !no_standardize,
    };
    let format = match format {
        FrameFormat::Table if out.is_none() => {
            print!("{}", backend.exposures(&dataset, &query)?.render(Some(40)));
            return Ok(());
        }
        FrameFormat::Table | FrameFormat::Csv => Format::Csv,
        FrameFormat::Parquet => Format::Parquet,
    };
    match out {
        // Written date by date: a file of years of exposures never is in memory at once.
        Some(path) => with_progress(|p| backend.export_exposures(&dataset, &query, format, &path, p)).map(|_rows| ()),
        None => write_output(&backend.exposures(&dataset, &query)?, format, None),
    }
}
