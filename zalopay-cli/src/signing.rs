//! `zalopay sign`: the MAC input of any catalogued operation, built from its request type's
//! `MAC_SEGMENTS` and `KEY`, for given parameter values.

use std::collections::BTreeMap;

use zalopay_api::MacSegment;
use zalopay_api::catalog::OperationInfo;

use crate::CliError;

/// Parameter values given as `name=value` arguments.
pub type Values = BTreeMap<String, String>;

/// Parses `name=value` arguments; a name may appear once.
pub fn parse_values(args: &[String]) -> Result<Values, CliError> {
    let mut values = Values::new();
    for arg in args {
        let Some((name, value)) = arg.split_once('=') else {
            return Err(CliError::new(format!(
                "`{arg}` is not name=value (e.g. app_trans_id=240101_1)"
            )));
        };
        if values.insert(name.to_owned(), value.to_owned()).is_some() {
            return Err(CliError::new(format!("`{name}` is given twice")));
        }
    }
    Ok(values)
}

/// Checks that every given name is signed or sent by `op` (catches typos).
pub fn check_names(op: &OperationInfo, values: &Values) -> Result<(), CliError> {
    for name in values.keys() {
        let signed = op.segments.iter().any(|segment| match segment {
            MacSegment::Field(n) | MacSegment::OmittedWhenAbsent(n) | MacSegment::Unsent(n) => {
                n == name
            }
            MacSegment::Key => false,
        });
        let sent = op.params.iter().any(|p| p.name == name) || op.signature_param == name;
        if !signed && !sent {
            return Err(CliError::new(format!(
                "`{name}` is not a parameter of {} (MAC input: {})",
                op.id,
                op.mac_template()
            )));
        }
    }
    Ok(())
}

/// The MAC input of `op` for `values`: `Field` and `Unsent` segments take their value (absent
/// ⇒ `""`), `OmittedWhenAbsent` segments are left out with their separator when absent, and
/// `Key` segments are `key`.
pub fn mac_input(op: &OperationInfo, values: &Values, key: &str) -> String {
    let mut parts: Vec<&str> = Vec::with_capacity(op.segments.len());
    for segment in op.segments {
        match segment {
            MacSegment::Field(name) | MacSegment::Unsent(name) => {
                parts.push(values.get(*name).map_or("", String::as_str));
            }
            MacSegment::OmittedWhenAbsent(name) => {
                if let Some(value) = values.get(*name) {
                    parts.push(value);
                }
            }
            MacSegment::Key => parts.push(key),
        }
    }
    parts.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_fee_is_dropped_when_absent() {
        let op = zalopay_api::catalog::find("refund.create").unwrap();
        let values = parse_values(&[
            "app_id=1".into(),
            "zp_trans_id=2".into(),
            "amount=3".into(),
            "description=d".into(),
            "timestamp=4".into(),
        ])
        .unwrap();
        assert_eq!(mac_input(op, &values, "k"), "1|2|3|d|4");
        let query = zalopay_api::catalog::find("order.query").unwrap();
        assert_eq!(mac_input(query, &values, "<key1>"), "1||<key1>");
        assert!(check_names(query, &parse_values(&["bogus=1".into()]).unwrap()).is_err());
        assert!(parse_values(&["novalue".into()]).is_err());
    }
}
