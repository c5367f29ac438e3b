//! The committed generated clients must be what the committed spec generates.

#[test]
fn generated_clients_match_the_spec() {
    let stale = overcast_clients_gen::drift().expect("the clients generate");
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what api-spec/ generates; run `cargo xtask clients` and commit"
    );
}
