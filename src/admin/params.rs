//! Partial changes as operators write them, each bad key named: quote parameters as
//! `KEY=VALUE` (the CLI's `params set`, the API's `{"set": [...]}`) or a JSON object; risk
//! limits as a JSON object (their `KEY=VALUE` form is `RiskLimitsChange::from_assignments`).
//! And which field an actor's refusal is about.
//!
//! Each key is checked on its own against the change type, so an unknown key or a value of
//! the wrong type is reported with that key. A `KEY=VALUE` value is read as JSON when it is
//! a number, `true`/`false` or `null`, and as a string otherwise (`model=glft`).

use actors::control::QuoteParamsChange;
use engine::risk::RiskLimitsChange;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::fmt;

/// A change that cannot be applied, and the field it is about (when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

/// The keys a change type has (its fields, as serde names them).
pub fn keys_of<T: Default + Serialize>() -> Vec<String> {
    match serde_json::to_value(T::default()) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// `KEY=VALUE` assignments into a partial change of `T` (a struct of `Option`s that refuses
/// unknown fields).
pub fn from_assignments<T: DeserializeOwned + Default + Serialize>(items: &[&str]) -> Result<T, FieldError> {
    let known = keys_of::<T>();
    let mut map = Map::new();
    for item in items {
        let Some((key, text)) = item.split_once('=') else {
            return Err(FieldError { field: None, message: format!("`{item}`: expected KEY=VALUE") });
        };
        let key = key.trim();
        let field = Some(key.to_string());
        if !known.iter().any(|k| k == key) {
            let message = format!("unknown key `{key}` (known: {})", known.join(", "));
            return Err(FieldError { field, message });
        }
        if map.contains_key(key) {
            return Err(FieldError { field, message: format!("`{key}` is given twice") });
        }
        let value = parse_value(text.trim());
        let mut one = Map::new();
        one.insert(key.to_string(), value.clone());
        if let Err(e) = serde_json::from_value::<T>(Value::Object(one)) {
            return Err(FieldError { field, message: format!("{key}: {e}") });
        }
        map.insert(key.to_string(), value);
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| FieldError { field: None, message: e.to_string() })
}

fn parse_value(text: &str) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => v,
        _ => Value::String(text.to_string()),
    }
}

/// A JSON object into a partial change of `T`; an unknown field or a wrong type is named.
pub fn from_json<T: DeserializeOwned + Default + Serialize>(value: Value) -> Result<T, FieldError> {
    let Value::Object(map) = value else {
        return Err(FieldError { field: None, message: "expected a JSON object".into() });
    };
    let known = keys_of::<T>();
    for (key, value) in &map {
        let field = Some(key.clone());
        if !known.iter().any(|k| k == key) {
            let message = format!("unknown key `{key}` (known: {})", known.join(", "));
            return Err(FieldError { field, message });
        }
        let mut one = Map::new();
        one.insert(key.clone(), value.clone());
        if let Err(e) = serde_json::from_value::<T>(Value::Object(one)) {
            return Err(FieldError { field, message: format!("{key}: {e}") });
        }
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| FieldError { field: None, message: e.to_string() })
}

/// A JSON risk-limits change; an unknown or mistyped field is named in the operator's
/// spelling (`max_daily_loss_usd`, `max_position_base.BTC`).
pub fn risk_change_from_json(value: Value) -> Result<RiskLimitsChange, FieldError> {
    let Value::Object(map) = &value else {
        return Err(FieldError { field: None, message: "expected a JSON object".into() });
    };
    let check = |one: Value, field: String| match serde_json::from_value::<RiskLimitsChange>(one) {
        Ok(_) => Ok(()),
        Err(e) => Err(FieldError { message: format!("{field}: {e}"), field: Some(field) }),
    };
    for (key, v) in map {
        if key != "coins" {
            check(Value::Object(Map::from_iter([(key.clone(), v.clone())])), key.clone())?;
            continue;
        }
        let Value::Array(coins) = v else {
            check(json!({ "coins": v }), "coins".into())?;
            continue;
        };
        for (i, coin) in coins.iter().enumerate() {
            let name = coin.get("coin").and_then(Value::as_str).map_or_else(|| format!("coins[{i}]"), str::to_string);
            let Value::Object(fields) = coin else {
                check(json!({ "coins": [coin] }), format!("coins[{i}]"))?;
                continue;
            };
            for (field, fv) in fields.iter().filter(|(f, _)| *f != "coin") {
                check(json!({ "coins": [{ "coin": name, field: fv }] }), format!("{field}.{name}"))?;
            }
            check(json!({ "coins": [coin] }), format!("coins[{i}]"))?;
        }
    }
    serde_json::from_value(value).map_err(|e| FieldError { field: None, message: e.to_string() })
}

/// `KEY=VALUE` assignments into a quote-parameter change.
pub fn quote_params_from_assignments(items: &[&str]) -> Result<QuoteParamsChange, FieldError> {
    from_assignments(items)
}

/// The keys `change` sets.
pub fn set_keys<T: Serialize>(change: &T) -> Vec<String> {
    match serde_json::to_value(change) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

/// The field a refusal `message` is about: the first of `keys` it mentions (the requote
/// tolerance is validated as `requote_tolerance.price_bps`), else the only key set.
pub fn field_of_refusal(message: &str, keys: &[String]) -> Option<String> {
    let mentions = |key: &str| match key {
        "requote_tolerance_bps" => message.contains("requote_tolerance"),
        _ => message.contains(key),
    };
    keys.iter().find(|k| mentions(k)).or(if keys.len() == 1 { keys.first() } else { None }).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::quote::ModelKind;

    #[test]
    fn assignments_become_a_change_and_a_bad_key_or_value_is_named() {
        let c = quote_params_from_assignments(&["model=glft", "gamma_per_usd=0.3", "levels_per_side=2"]).unwrap();
        assert_eq!(
            c,
            QuoteParamsChange {
                model: Some(ModelKind::Glft),
                gamma_per_usd: Some(0.3),
                levels_per_side: Some(2),
                ..Default::default()
            }
        );
        let e = quote_params_from_assignments(&["gamma_per_usd=0.3", "gama=1"]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("gama"));
        assert!(e.message.contains("unknown key `gama`") && e.message.contains("gamma_per_usd"), "{e}");
        let e = quote_params_from_assignments(&["levels_per_side=two"]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("levels_per_side"));
        let e = quote_params_from_assignments(&["model=nonsense"]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("model"));
        assert!(e.message.contains("unknown variant `nonsense`"), "{e}");
        assert!(quote_params_from_assignments(&["levels_per_side"]).unwrap_err().message.contains("KEY=VALUE"));
        assert!(quote_params_from_assignments(&["levels_per_side=1", "levels_per_side=2"]).is_err());
    }

    #[test]
    fn json_changes_name_the_bad_field() {
        let ok: QuoteParamsChange = from_json(serde_json::json!({"min_edge_bps": 1.0})).unwrap();
        assert_eq!(ok.min_edge_bps, Some(1.0));
        let e = from_json::<QuoteParamsChange>(serde_json::json!({"min_edge_bps": "wide"})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("min_edge_bps"));
        let e = from_json::<QuoteParamsChange>(serde_json::json!({"spread": 1})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("spread"));
        assert!(from_json::<QuoteParamsChange>(serde_json::json!([1])).is_err());
    }

    #[test]
    fn risk_changes_in_json_name_the_bad_field_in_the_operators_spelling() {
        let ok = risk_change_from_json(
            json!({"max_daily_loss_usd": 50, "coins": [{"coin": "BTC", "max_position_base": 0.01}]}),
        );
        let ok = ok.unwrap();
        assert_eq!((ok.max_daily_loss_usd, ok.coins.len()), (Some(50.0), 1));
        let field = |v: Value| risk_change_from_json(v).unwrap_err().field;
        assert_eq!(field(json!({"max_daily_loss": 50})).as_deref(), Some("max_daily_loss"));
        assert_eq!(field(json!({"max_open_orders": -1})).as_deref(), Some("max_open_orders"));
        assert_eq!(
            field(json!({"coins": [{"coin": "BTC", "max_position_base": "big"}]})).as_deref(),
            Some("max_position_base.BTC")
        );
        assert_eq!(field(json!({"coins": [{"coin": "BTC", "max_pos": 1}]})).as_deref(), Some("max_pos.BTC"));
        assert_eq!(field(json!({"coins": [{"max_position_base": 1}]})).as_deref(), Some("coins[0]"));
        assert_eq!(field(json!({"coins": 3})).as_deref(), Some("coins"));
    }

    #[test]
    fn a_refusal_is_pinned_to_the_key_it_mentions() {
        let keys = vec!["levels_per_side".to_string(), "gamma_per_usd".to_string()];
        let msg = "quote.gamma_per_usd must be a positive number, got -1";
        assert_eq!(field_of_refusal(msg, &keys).as_deref(), Some("gamma_per_usd"));
        assert_eq!(field_of_refusal("something else", &keys), None);
        let tol = vec!["requote_tolerance_bps".to_string()];
        let msg = "order.requote_tolerance.price_bps must be a finite number ≥ 0, got -1";
        assert_eq!(field_of_refusal(msg, &tol).as_deref(), Some("requote_tolerance_bps"));
        let keys = set_keys(&QuoteParamsChange { model: Some(ModelKind::Static), ..Default::default() });
        assert_eq!(keys, ["model"]);
        assert_eq!(keys_of::<QuoteParamsChange>().len(), 6);
    }
}
