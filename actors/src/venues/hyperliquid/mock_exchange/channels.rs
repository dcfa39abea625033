//! The WebSocket side of the mock exchange's state: who is connected, what each connection
//! subscribed to, and delivery of a frame to exactly the connections that asked for it.
//!
//! It lives inside the exchange state (under its lock), so a subscription and the frames it
//! gets are ordered with every fill and book update: a `userFills` subscriber gets its
//! snapshot and then exactly the fills made after it, none missed, none twice.

use serde_json::Value;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// What the exchange hands a connection's writer.
#[derive(Debug, Clone)]
pub(super) enum SessionMsg {
    Text(Utf8Bytes),
    /// Cut the connection now, without a close frame.
    Drop,
}

/// A user channel of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UserChannel {
    Fills,
    OrderUpdates,
    /// `userEvents`, whose frames arrive on channel `user`.
    Events,
}

/// What one subscription receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Topic {
    /// Replayed frames of `channel` (and `coin`, when the subscription names one).
    Market { channel: String, coin: Option<String> },
    /// A user channel; `ours` is false for another user's (accepted, never fed: the mock
    /// trades one account).
    User { channel: UserChannel, ours: bool },
}

/// The topic of a `subscription` object, if well formed.
pub(super) fn topic_of(subscription: &Value, account: &str) -> Option<Topic> {
    let kind = subscription.get("type")?.as_str()?;
    let coin = subscription.get("coin").and_then(Value::as_str);
    let user = subscription.get("user").and_then(Value::as_str);
    let user_channel = match kind {
        "userFills" => Some(UserChannel::Fills),
        "orderUpdates" => Some(UserChannel::OrderUpdates),
        "userEvents" => Some(UserChannel::Events),
        _ => None,
    };
    if let Some(channel) = user_channel {
        return Some(Topic::User { channel, ours: user?.eq_ignore_ascii_case(account) });
    }
    match kind {
        "allMids" => Some(Topic::Market { channel: kind.to_owned(), coin: None }),
        "l2Book" | "trades" | "bbo" | "activeAssetCtx" | "candle" => {
            Some(Topic::Market { channel: kind.to_owned(), coin: Some(coin?.to_owned()) })
        }
        _ => None,
    }
}

struct Session {
    id: u64,
    tx: mpsc::UnboundedSender<SessionMsg>,
    subscriptions: Vec<(Value, Topic)>,
}

/// The live connections.
#[derive(Default)]
pub(super) struct Sessions {
    sessions: Vec<Session>,
    next_id: u64,
}

impl Sessions {
    pub fn register(&mut self, tx: mpsc::UnboundedSender<SessionMsg>) -> u64 {
        self.next_id += 1;
        self.sessions.push(Session { id: self.next_id, tx, subscriptions: Vec::new() });
        self.next_id
    }

    pub fn unregister(&mut self, id: u64) {
        self.sessions.retain(|s| s.id != id);
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Sends `text` to session `id` only.
    pub fn send_to(&self, id: u64, text: impl Into<Utf8Bytes>) {
        if let Some(session) = self.sessions.iter().find(|s| s.id == id) {
            // A session that is going has dropped its receiver; nothing to do.
            let _ = session.tx.send(SessionMsg::Text(text.into()));
        }
    }

    /// Adds a subscription; `false` if session `id` already holds it.
    pub fn subscribe(&mut self, id: u64, subscription: Value, topic: Topic) -> bool {
        let Some(session) = self.sessions.iter_mut().find(|s| s.id == id) else { return false };
        if session.subscriptions.iter().any(|(held, _)| *held == subscription) {
            return false;
        }
        session.subscriptions.push((subscription, topic));
        true
    }

    /// Removes a subscription; `false` if session `id` did not hold it.
    pub fn unsubscribe(&mut self, id: u64, subscription: &Value) -> bool {
        let Some(session) = self.sessions.iter_mut().find(|s| s.id == id) else { return false };
        let before = session.subscriptions.len();
        session.subscriptions.retain(|(held, _)| held != subscription);
        session.subscriptions.len() != before
    }

    /// Sends `text` to every session subscribed to a topic `wanted` accepts; returns how many.
    pub fn publish(&self, text: &Utf8Bytes, wanted: impl Fn(&Topic) -> bool) -> usize {
        let mut sent = 0;
        for session in &self.sessions {
            if session.subscriptions.iter().any(|(_, topic)| wanted(topic)) {
                let _ = session.tx.send(SessionMsg::Text(text.clone()));
                sent += 1;
            }
        }
        sent
    }

    /// Sends a replayed market frame to the subscribers of its channel and coin.
    pub fn publish_market(&self, channel: &str, coin: Option<&str>, text: &Utf8Bytes) -> usize {
        self.publish(
            text,
            |topic| matches!(topic, Topic::Market { channel: c, coin: k } if c == channel && k.as_deref() == coin),
        )
    }

    /// Sends `text` to the subscribers of one of our user channels.
    pub fn publish_user(&self, channel: UserChannel, text: &Utf8Bytes) -> usize {
        self.publish(text, |topic| *topic == Topic::User { channel, ours: true })
    }

    /// Cuts every connection.
    pub fn drop_all(&mut self) -> usize {
        for session in &self.sessions {
            let _ = session.tx.send(SessionMsg::Drop);
        }
        self.sessions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn topics_name_channel_coin_and_whose_user_data() {
        let me = "0x00000000000000000000000000000000000000aa";
        let topic = |v: Value| topic_of(&v, me);
        assert_eq!(
            topic(json!({"type":"l2Book","coin":"BTC"})),
            Some(Topic::Market { channel: "l2Book".into(), coin: Some("BTC".into()) })
        );
        assert_eq!(topic(json!({"type":"trades"})), None);
        assert_eq!(
            topic(json!({"type":"userEvents","user":me.to_uppercase().replace("0X", "0x")})),
            Some(Topic::User { channel: UserChannel::Events, ours: true })
        );
        assert_eq!(
            topic(json!({"type":"userFills","user":"0x01"})),
            Some(Topic::User { channel: UserChannel::Fills, ours: false })
        );
        assert_eq!(topic(json!({"type":"orderUpdates"})), None);
        assert_eq!(topic(json!({"type":"l3Book","coin":"BTC"})), None);
    }

    #[test]
    fn frames_reach_only_matching_subscribers() {
        let mut sessions = Sessions::default();
        let (tx_a, mut rx_a) = mpsc::unbounded_channel();
        let (tx_b, mut rx_b) = mpsc::unbounded_channel();
        let a = sessions.register(tx_a);
        let b = sessions.register(tx_b);
        let book = Topic::Market { channel: "l2Book".into(), coin: Some("BTC".into()) };
        assert!(sessions.subscribe(a, json!({"type":"l2Book","coin":"BTC"}), book.clone()));
        assert!(!sessions.subscribe(a, json!({"type":"l2Book","coin":"BTC"}), book));
        assert_eq!(sessions.publish_market("l2Book", Some("BTC"), &Utf8Bytes::from_static("x")), 1);
        assert_eq!(sessions.publish_market("l2Book", Some("ETH"), &Utf8Bytes::from_static("y")), 0);
        assert!(matches!(rx_a.try_recv(), Ok(SessionMsg::Text(t)) if t.as_str() == "x"));
        assert!(rx_b.try_recv().is_err());
        assert!(sessions.unsubscribe(a, &json!({"type":"l2Book","coin":"BTC"})));
        assert_eq!(sessions.publish_market("l2Book", Some("BTC"), &Utf8Bytes::from_static("z")), 0);
        sessions.unregister(b);
        assert_eq!(sessions.len(), 1);
    }
}
