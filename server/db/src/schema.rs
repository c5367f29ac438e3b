//! Diesel table definitions, kept by hand in step with `migrations/`.

diesel::table! {
    partners (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        display_name -> Text,
        logo_url -> Nullable<Text>,
        primary_color -> Text,
        accent_color -> Text,
        support_url -> Nullable<Text>,
        support_email -> Nullable<Text>,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
        favicon_url -> Nullable<Text>,
        support_phone -> Nullable<Text>,
        footer_links -> Text,
        navigation -> Text,
        hidden_sections -> Text,
        host_names -> Text,
    }
}

diesel::table! {
    partner_host_names (host_name) {
        host_name -> Text,
        partner_id -> Text,
    }
}

diesel::table! {
    operator_brand (id) {
        id -> Integer,
        brand -> Text,
        generation -> BigInt,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        partner_id -> Nullable<Text>,
        name -> Text,
        description -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
        time_suspended -> Nullable<BigInt>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        account_id -> Nullable<Text>,
        name -> Text,
        description -> Text,
        email -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
        role -> Text,
        password_hash -> Nullable<Text>,
        partner_id -> Nullable<Text>,
        totp_secret -> Nullable<Text>,
        totp_pending -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Text,
        user_id -> Text,
        secret_hash -> Text,
        csrf_token -> Text,
        client -> Text,
        user_agent -> Text,
        time_created -> BigInt,
        time_last_used -> BigInt,
        time_expires -> BigInt,
        time_revoked -> Nullable<BigInt>,
    }
}

diesel::table! {
    user_invitations (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        secret_hash -> Text,
        time_created -> BigInt,
        time_expires -> BigInt,
        time_used -> Nullable<BigInt>,
    }
}

diesel::table! {
    user_recovery_codes (code_hash) {
        code_hash -> Text,
        user_id -> Text,
        time_used -> Nullable<BigInt>,
    }
}

diesel::table! {
    login_failures (subject) {
        subject -> Text,
        failures -> Integer,
        window_start -> BigInt,
    }
}

diesel::table! {
    tokens (id) {
        id -> Text,
        description -> Text,
        scope -> Text,
        partner_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        secret_hash -> Text,
        time_created -> BigInt,
        time_expires -> Nullable<BigInt>,
        time_revoked -> Nullable<BigInt>,
    }
}

diesel::table! {
    projects (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        description -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    ssh_keys (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        description -> Text,
        public_key -> Text,
        fingerprint -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    images (id) {
        id -> Text,
        scope -> Text,
        name -> Text,
        description -> Text,
        os_family -> Text,
        architecture -> Text,
        boot_mode -> Text,
        min_size_bytes -> BigInt,
        source_url -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
        snapshot_id -> Nullable<Text>,
    }
}

diesel::table! {
    cluster_ca (name) {
        name -> Text,
        cert_pem -> Text,
        key_pem -> Text,
        time_created -> BigInt,
    }
}

diesel::table! {
    hosts (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        address -> Text,
        cpus -> Integer,
        memory_mib -> BigInt,
        storage_bytes -> BigInt,
        state -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
        secret_hash -> Nullable<Text>,
        iscsi_port -> Integer,
        storage_free_bytes -> BigInt,
        time_heartbeat -> Nullable<BigInt>,
        time_state_changed -> BigInt,
        cert_fingerprint -> Nullable<Text>,
        next_cert_fingerprint -> Nullable<Text>,
        storage_fenced -> Bool,
    }
}

diesel::table! {
    ip_pools (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        first_address -> Text,
        last_address -> Text,
        prefix_len -> Integer,
        gateway -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    instances (id) {
        id -> Text,
        project_id -> Text,
        account_id -> Text,
        name -> Text,
        description -> Text,
        vcpus -> Integer,
        memory_mib -> BigInt,
        ssh_key_ids -> Text,
        user_data -> Text,
        ha_policy -> Text,
        avoid_instances -> Text,
        state -> Text,
        host_id -> Nullable<Text>,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    drives (id) {
        id -> Text,
        project_id -> Text,
        account_id -> Text,
        name -> Text,
        description -> Text,
        size_bytes -> BigInt,
        image_id -> Nullable<Text>,
        replicas -> Integer,
        avoid_drives -> Text,
        avoid_instances -> Text,
        state -> Text,
        instance_id -> Nullable<Text>,
        slot -> Nullable<Integer>,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
        host_id -> Nullable<Text>,
        delete_with_instance -> Bool,
        chap_user -> Text,
        chap_secret -> Text,
        storage_class -> Text,
        snapshot_id -> Nullable<Text>,
    }
}

diesel::table! {
    snapshots (id) {
        id -> Text,
        project_id -> Text,
        account_id -> Text,
        drive_id -> Text,
        name -> Text,
        description -> Text,
        size_bytes -> BigInt,
        state -> Text,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    ip_addresses (id) {
        id -> Text,
        project_id -> Text,
        account_id -> Text,
        pool_id -> Text,
        name -> Text,
        description -> Text,
        address -> Text,
        instance_id -> Nullable<Text>,
        time_created -> BigInt,
        time_modified -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        time_created -> BigInt,
        request_id -> Text,
        actor_token_id -> Nullable<Text>,
        actor_scope -> Nullable<Text>,
        partner_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        resource_name -> Text,
        message -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (principal, idem_key) {
        principal -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        body -> Nullable<Text>,
        time_created -> BigInt,
        replica_id -> Nullable<Text>,
    }
}

diesel::table! {
    host_enrollments (id) {
        id -> Text,
        description -> Text,
        secret_hash -> Text,
        time_created -> BigInt,
        time_expires -> BigInt,
        time_used -> Nullable<BigInt>,
        host_id -> Nullable<Text>,
    }
}

diesel::table! {
    workflows (id) {
        id -> Text,
        kind -> Text,
        subject_id -> Text,
        steps -> Text,
        cursor -> Integer,
        direction -> Text,
        state -> Text,
        error -> Nullable<Text>,
        time_created -> BigInt,
        time_modified -> BigInt,
        request_id -> Text,
        actor_token_id -> Nullable<Text>,
        actor_scope -> Nullable<Text>,
        owner -> Nullable<Text>,
        generation -> BigInt,
        actor_user_id -> Nullable<Text>,
    }
}

diesel::table! {
    replicas (id) {
        id -> Text,
        name -> Text,
        internal_url -> Text,
        time_started -> BigInt,
        time_expires -> BigInt,
    }
}

diesel::table! {
    host_sessions (host_id) {
        host_id -> Text,
        replica_id -> Text,
        epoch -> BigInt,
        time_opened -> BigInt,
    }
}

diesel::table! {
    caches (name) {
        name -> Text,
        generation -> BigInt,
    }
}

diesel::table! {
    leases (name) {
        name -> Text,
        replica_id -> Text,
        generation -> BigInt,
        time_expires -> BigInt,
    }
}

diesel::joinable!(user_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    cluster_ca,
    caches,
    replicas,
    host_sessions,
    leases,
    host_enrollments,
    workflows,
    partners,
    partner_host_names,
    operator_brand,
    accounts,
    users,
    user_sessions,
    user_invitations,
    user_recovery_codes,
    login_failures,
    tokens,
    projects,
    ssh_keys,
    images,
    hosts,
    ip_pools,
    instances,
    drives,
    snapshots,
    ip_addresses,
    events,
    idempotency_keys,
);
