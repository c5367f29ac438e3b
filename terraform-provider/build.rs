//! Compile Terraform's plugin protocol and go-plugin's controller with a
//! vendored protoc, and keep the descriptor set so a test can check every
//! field number against the protocol documentation.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    config.file_descriptor_set_path(out.join("descriptors.bin"));
    tonic_prost_build::configure()
        .build_client(true)
        .compile_with_config(
            config,
            &["proto/tfplugin6.proto", "proto/go_plugin.proto"],
            &["proto"],
        )?;
    Ok(())
}
