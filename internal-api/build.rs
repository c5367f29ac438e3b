//! Compile the internal API's .proto with a vendored protoc, so a build
//! needs no system protobuf compiler.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure().compile_with_config(
        config,
        &["proto/overcast/host/v1/host.proto"],
        &["proto"],
    )?;
    Ok(())
}
