//! Code shared by fuzz targets.
#![allow(dead_code)]

pub mod ops;
