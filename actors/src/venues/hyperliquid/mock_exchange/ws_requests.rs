//! WebSocket requests of one connection: `subscribe` / `unsubscribe` (with what a new
//! subscription gets at once), `ping`, and `post` (an action or an info request, answered on
//! the `post` channel, or not at all under the unanswered-posts fault).

use serde_json::{json, Value};

use super::channels::{Topic, UserChannel};
use super::ledger::MockFill;
use super::venue::Venue;

impl Venue {
    /// Answers one text frame of session `id`: subscribe, unsubscribe, ping, post.
    pub fn ws_request(&mut self, id: u64, text: &str) {
        let parse_error =
            || json!({"channel": "error", "data": format!("Error parsing JSON into valid websocket request: {text}")});
        let Ok(request) = serde_json::from_str::<Value>(text) else {
            return self.sessions.send_to(id, parse_error().to_string());
        };
        match request.get("method").and_then(Value::as_str) {
            Some("ping") => self.sessions.send_to(id, r#"{"channel":"pong"}"#),
            Some(method @ ("subscribe" | "unsubscribe")) => {
                let subscription = request.get("subscription").cloned().unwrap_or(Value::Null);
                let Some(topic) = super::channels::topic_of(&subscription, &self.account_str()) else {
                    return self.sessions.send_to(id, parse_error().to_string());
                };
                let done = if method == "subscribe" {
                    self.sessions.subscribe(id, subscription.clone(), topic.clone())
                } else {
                    self.sessions.unsubscribe(id, &subscription)
                };
                if !done {
                    let what = if method == "subscribe" { "Already subscribed" } else { "Already unsubscribed" };
                    let frame = json!({"channel": "error", "data": format!("{what}: {subscription}")});
                    return self.sessions.send_to(id, frame.to_string());
                }
                self.counters.subscriptions += u64::from(method == "subscribe");
                let echo = json!({"channel": "subscriptionResponse", "data": {"method": method, "subscription": subscription}});
                self.sessions.send_to(id, echo.to_string());
                if method == "subscribe" {
                    self.after_subscribe(id, &topic);
                }
            }
            Some("post") => self.post(id, &request),
            _ => self.sessions.send_to(id, parse_error().to_string()),
        }
    }

    /// What a new subscription gets at once: the latest book, the latest trades (the
    /// venue's replay of older trades), the `userFills` snapshot.
    fn after_subscribe(&mut self, id: u64, topic: &Topic) {
        match topic {
            Topic::Market { channel, coin: Some(coin) } => {
                let Some(state) = self.coin_by_name(coin).map(|i| &self.coins[i]) else { return };
                let latest = match channel.as_str() {
                    "l2Book" => state.last_book_frame.clone(),
                    "trades" => state.last_trades_frame.clone(),
                    _ => None,
                };
                if let Some(frame) = latest {
                    self.sessions.send_to(id, frame);
                }
            }
            Topic::User { channel: UserChannel::Fills, ours } => {
                let fills: Vec<Value> =
                    if *ours { self.fills.iter().map(MockFill::to_json).collect() } else { Vec::new() };
                let user = self.account_str();
                let frame = json!({"channel": "userFills", "data": {"isSnapshot": true, "user": user, "fills": fills}});
                self.sessions.send_to(id, frame.to_string());
            }
            _ => {}
        }
    }

    fn post(&mut self, id: u64, request: &Value) {
        self.counters.posts_received += 1;
        let post_id = request.get("id").and_then(Value::as_u64);
        let inner = request.get("request");
        let kind = inner.and_then(|r| r.get("type")).and_then(Value::as_str);
        let payload = inner.and_then(|r| r.get("payload"));
        let (Some(post_id), Some(kind), Some(payload)) = (post_id, kind, payload) else {
            let frame = json!({"channel": "error", "data": format!("Error parsing JSON into valid websocket request: {request}")});
            return self.sessions.send_to(id, frame.to_string());
        };
        let unanswered = self.faults.posts_unanswered;
        if unanswered == Some(false) {
            self.counters.posts_unanswered += 1;
            return;
        }
        let response = match kind {
            "action" => {
                let reply = self.exchange(payload);
                match serde_json::from_str::<Value>(&reply.body) {
                    Ok(answer) if reply.status == 200 => json!({"type": "action", "payload": answer}),
                    _ => json!({"type": "error", "payload": reply.body}),
                }
            }
            "info" => match self.info(payload) {
                Ok(data) => {
                    let info_type = payload.get("type").cloned().unwrap_or(Value::Null);
                    json!({"type": "info", "payload": {"type": info_type, "data": data}})
                }
                Err(text) => json!({"type": "error", "payload": text}),
            },
            other => json!({"type": "error", "payload": format!("unknown post type {other:?}")}),
        };
        if unanswered.is_some() {
            self.counters.posts_unanswered += 1;
            return;
        }
        let frame = json!({"channel": "post", "data": {"id": post_id, "response": response}});
        self.sessions.send_to(id, frame.to_string());
    }
}
