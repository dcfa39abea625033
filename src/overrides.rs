//! Config overrides by dotted key, for `backtest --sweep KEY=V1,V2,…`: each value is set in
//! the profile's TOML before it is deserialized and validated, so a swept value passes the
//! same checks as one written in the file (an unknown key or a bad value is the same clear
//! error). Keys name tables by name and arrays by index: `quote.gamma_per_usd`,
//! `venue.sim.order_latency_ms`, `markets.0.order_size_base`.

use toml::{Table, Value};

/// One key set to one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: Value,
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Value::String(s) => write!(f, "{}={s}", self.key),
            other => write!(f, "{}={other}", self.key),
        }
    }
}

/// A value as TOML reads it (`0.5`, `3`, `true`, `"glft"`); a bare word is a string, so
/// `quote.model=glft` needs no quotes.
fn parse_value(text: &str) -> Value {
    let text = text.trim();
    match format!("v = {text}").parse::<Table>() {
        Ok(mut table) => table.remove("v").unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

/// `KEY=V1,V2,…` → the overrides of one sweep axis, in order.
pub fn parse_axis(arg: &str) -> Result<Vec<Override>, String> {
    let (key, values) = arg.split_once('=').ok_or_else(|| format!("--sweep `{arg}`: expected KEY=V1,V2,…"))?;
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(format!("--sweep `{arg}`: the key must be dotted names, e.g. quote.gamma_per_usd"));
    }
    let values: Vec<&str> = values.split(',').map(str::trim).collect();
    if values.iter().any(|v| v.is_empty()) {
        return Err(format!("--sweep `{arg}`: an empty value"));
    }
    Ok(values.into_iter().map(|v| Override { key: key.to_string(), value: parse_value(v) }).collect())
}

/// Every combination of one value per axis (the grid), first axis slowest.
pub fn grid(axes: &[Vec<Override>]) -> Vec<Vec<Override>> {
    axes.iter().fold(vec![Vec::new()], |points, axis| {
        points
            .iter()
            .flat_map(|point| {
                axis.iter().map(move |o| {
                    let mut next = point.clone();
                    next.push(o.clone());
                    next
                })
            })
            .collect()
    })
}

/// Sets `o` in `table`, creating missing tables on the way; an array is entered by index.
pub fn apply(table: &mut Table, o: &Override) -> Result<(), String> {
    let segments: Vec<&str> = o.key.split('.').collect();
    let [first, rest @ ..] = segments.as_slice() else {
        return Err(format!("{}: empty key", o.key));
    };
    if rest.is_empty() {
        table.insert(first.to_string(), o.value.clone());
        return Ok(());
    }
    let mut node: &mut Value = table.entry(first.to_string()).or_insert_with(|| Value::Table(Table::new()));
    for (i, segment) in rest.iter().enumerate() {
        let is_last = i + 1 == rest.len();
        let child = match node {
            Value::Table(t) if is_last => {
                t.insert(segment.to_string(), o.value.clone());
                return Ok(());
            }
            Value::Table(t) => t.entry(segment.to_string()).or_insert_with(|| Value::Table(Table::new())),
            Value::Array(items) => {
                let index: usize = segment.parse().map_err(|_| format!("{}: `{segment}` is not an index", o.key))?;
                let len = items.len();
                let item =
                    items.get_mut(index).ok_or_else(|| format!("{}: index {index} past the {len} entries", o.key))?;
                if is_last {
                    *item = o.value.clone();
                    return Ok(());
                }
                item
            }
            _ => return Err(format!("{}: `{segment}` is inside a value, not a table", o.key)),
        };
        node = child;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    #[test]
    fn values_parse_as_toml_and_bare_words_as_strings() {
        let axis = parse_axis("quote.gamma_per_usd=0.1, 0.5,2").unwrap();
        assert_eq!(axis.iter().map(|o| o.value.clone()).collect::<Vec<_>>(), [0.1.into(), 0.5.into(), 2.into()]);
        assert_eq!(parse_axis("quote.model=glft").unwrap()[0].value, Value::String("glft".into()));
        assert_eq!(parse_axis("x.y=true").unwrap()[0].to_string(), "x.y=true");
        for bad in ["nokey", "=1", "a..b=1", "a.b=1,,2"] {
            assert!(parse_axis(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_grid_is_every_combination() {
        let axes = [parse_axis("a=1,2").unwrap(), parse_axis("b=x,y,z").unwrap()];
        let points = grid(&axes);
        assert_eq!(points.len(), 6);
        let names: Vec<String> =
            points.iter().map(|p| p.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")).collect();
        assert_eq!(names[0], "a=1 b=x");
        assert_eq!(names[5], "a=2 b=z");
        assert_eq!(grid(&[]), vec![Vec::<Override>::new()]);
    }

    #[test]
    fn keys_reach_tables_and_array_entries() {
        let mut t = table("[quote]\ngamma_per_usd = 0.5\n[[markets]]\ncoin = \"BTC\"\n[[markets]]\ncoin = \"ETH\"\n");
        apply(&mut t, &parse_axis("quote.gamma_per_usd=2").unwrap()[0]).unwrap();
        apply(&mut t, &parse_axis("markets.1.coin=SOL").unwrap()[0]).unwrap();
        apply(&mut t, &parse_axis("venue.sim.order_latency_ms=0").unwrap()[0]).unwrap();
        assert_eq!(t["quote"]["gamma_per_usd"], Value::Integer(2));
        assert_eq!(t["markets"][1]["coin"], Value::String("SOL".into()));
        assert_eq!(t["venue"]["sim"]["order_latency_ms"], Value::Integer(0));
        let err = apply(&mut t, &parse_axis("markets.7.coin=X").unwrap()[0]).unwrap_err();
        assert!(err.contains("index 7 past the 2 entries"), "{err}");
        let err = apply(&mut t, &parse_axis("quote.gamma_per_usd.x=1").unwrap()[0]).unwrap_err();
        assert!(err.contains("inside a value"), "{err}");
    }
}
