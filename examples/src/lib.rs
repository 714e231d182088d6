//! Examples live in `[[example]]` targets; this library is empty on purpose.
