//! Portfolio risk on a risk model (issue 21, in progress): `file` reads a portfolio file (ids of
//! any reference id type, weights or values, dates, several portfolios), `decompose` computes one
//! portfolio's factor, specific and total risk at a date and their Euler decomposition per
//! factor, group and asset. Matching ids to the model's universe and the front ends come next.

#[allow(dead_code)] // used by the portfolio reports being built on it
mod decompose;
#[allow(dead_code)] // used by the portfolio reports being built on it
mod file;
