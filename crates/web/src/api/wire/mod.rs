//! The JSON wire types of the API: what `service`'s typed results look like on the wire
//! (amounts as decimal text beside their minor units, statuses and kinds as their names, ids
//! as text), each built `From` the service type, and the request bodies that `service` never
//! sees. Their names are the OpenAPI schema names.

pub mod bill_requests;
pub mod bills;
pub mod money;

/// Every item of `items` on the wire.
pub fn all<'a, S: 'a, W: From<&'a S>>(items: &'a [S]) -> Vec<W> {
    items.iter().map(W::from).collect()
}
