//! Portfolio risk on a risk model (issue 21, in progress): `decompose` computes one portfolio's
//! factor, specific and total risk at a date and their Euler decomposition per factor, group and
//! asset. Reading portfolios, matching their ids and the front ends come next.

#[allow(dead_code)] // used by the portfolio reports being built on it
mod decompose;
