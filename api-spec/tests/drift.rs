//! The committed OpenAPI documents must be exactly what the code generates.

#[test]
fn committed_spec_matches_the_code() {
    let stale = overcast_api_spec::drift().expect("the spec generates and converts");
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what the server's code generates; run `{}` and commit the result",
        overcast_api_spec::REGENERATE
    );
}
