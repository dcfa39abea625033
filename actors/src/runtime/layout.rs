//! Which actors run on which thread, pinned where, waiting how.

use crate::ActorId;
use serde::{Deserialize, Serialize};

/// What an idle thread does while its queues are empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitStrategy {
    /// Busy-poll with a spin hint: the lowest hop latency, one core at 100 %.
    Spin,
    /// Poll and yield the core to the scheduler between polls.
    Yield,
    /// Sleep until a sender wakes the thread (or the next timer is due): cheapest on CPU,
    /// pays the kernel wake-up on every hop.
    Park,
}

/// One OS thread of the threaded runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSpec {
    pub name: String,
    pub actors: Vec<ActorId>,
    /// Core to pin to; a core the machine lacks is a warning and the thread runs unpinned.
    pub core: Option<usize>,
    pub wait: WaitStrategy,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("actor `{0}` is assigned to more than one thread")]
    Duplicate(ActorId),
    #[error("actor `{0}` is not assigned to any thread")]
    Missing(ActorId),
    #[error("thread `{0}` has no actors")]
    EmptyThread(String),
    /// The OS cannot take it as a thread name (std's spawn would panic on it).
    #[error("thread name {0:?} contains a NUL byte")]
    BadThreadName(String),
}

/// One thread per node, all with the same wait strategy, unpinned: the default layout.
pub fn one_thread_per_actor(nodes: &[ActorId], wait: WaitStrategy) -> Vec<ThreadSpec> {
    nodes.iter().map(|&id| ThreadSpec { name: id.name().to_string(), actors: vec![id], core: None, wait }).collect()
}

/// Checks that every node in `nodes` runs on exactly one thread, and that every thread has
/// actors and a name the OS accepts.
pub fn validate(layout: &[ThreadSpec], nodes: &[ActorId]) -> Result<(), LayoutError> {
    let mut seen = Vec::new();
    for spec in layout {
        if spec.actors.is_empty() {
            return Err(LayoutError::EmptyThread(spec.name.clone()));
        }
        if spec.name.contains('\0') {
            return Err(LayoutError::BadThreadName(spec.name.clone()));
        }
        for &id in &spec.actors {
            if seen.contains(&id) {
                return Err(LayoutError::Duplicate(id));
            }
            seen.push(id);
        }
    }
    match nodes.iter().find(|id| !seen.contains(id)) {
        Some(&missing) => Err(LayoutError::Missing(missing)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_exactly_once() {
        let nodes = [ActorId::Feed, ActorId::Quote];
        assert_eq!(validate(&one_thread_per_actor(&nodes, WaitStrategy::Park), &nodes), Ok(()));
        let spec = |actors: Vec<ActorId>| ThreadSpec { name: "t".into(), actors, core: None, wait: WaitStrategy::Spin };
        assert_eq!(validate(&[spec(vec![ActorId::Feed])], &nodes), Err(LayoutError::Missing(ActorId::Quote)));
        let dup = [spec(vec![ActorId::Feed, ActorId::Quote]), spec(vec![ActorId::Quote])];
        assert_eq!(validate(&dup, &nodes), Err(LayoutError::Duplicate(ActorId::Quote)));
        assert_eq!(validate(&[spec(vec![])], &nodes), Err(LayoutError::EmptyThread("t".into())));
        let nul = ThreadSpec { name: "hot\0path".into(), ..spec(vec![ActorId::Feed, ActorId::Quote]) };
        assert_eq!(validate(&[nul], &nodes), Err(LayoutError::BadThreadName("hot\0path".into())));
    }
}
