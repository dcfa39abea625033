//! Placeholder: the synthetic market generator is being written.
