//! The JSON wire types of the API: what a handler answers (and the request bodies it reads),
//! built from the service's typed results with `From<&…>`, with `Serialize` and the OpenAPI
//! schema (`utoipa::ToSchema`). The service returns domain types and knows nothing of JSON;
//! the field names, order and formats here are the API's contract, kept byte for byte.

pub mod accounts;
pub mod sign_in_methods;
