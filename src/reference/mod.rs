//! Reference datasets: the universe (security master, market caps, returns) a risk dataset
//! borrows. Imported from a folder or generated for the demo.
