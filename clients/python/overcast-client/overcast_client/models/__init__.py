"""Contains all the data models used in inputs/outputs"""

from .account import Account
from .account_create import AccountCreate
from .account_page import AccountPage
from .account_update import AccountUpdate
from .architecture import Architecture
from .boot_mode import BootMode
from .brand import Brand
from .brand_hidden_sections_type_0_item import BrandHiddenSectionsType0Item
from .brand_info import BrandInfo
from .brand_link import BrandLink
from .brand_navigation_type_0 import BrandNavigationType0
from .drive import Drive
from .drive_attachment import DriveAttachment
from .drive_create import DriveCreate
from .drive_create_storage_class import DriveCreateStorageClass
from .drive_page import DrivePage
from .drive_rollback import DriveRollback
from .drive_state import DriveState
from .drive_update import DriveUpdate
from .error_body import ErrorBody
from .event import Event
from .event_list_order import EventListOrder
from .event_page import EventPage
from .ha_policy import HaPolicy
from .health import Health
from .host import Host
from .host_enrollment import HostEnrollment
from .host_enrollment_create import HostEnrollmentCreate
from .host_page import HostPage
from .host_state import HostState
from .host_update import HostUpdate
from .host_update_state_type_0 import HostUpdateStateType0
from .identity import Identity
from .identity_update import IdentityUpdate
from .image import Image
from .image_create import ImageCreate
from .image_create_architecture import ImageCreateArchitecture
from .image_create_boot_mode import ImageCreateBootMode
from .image_page import ImagePage
from .instance import Instance
from .instance_create import InstanceCreate
from .instance_create_boot_drive_storage_class_type_0 import InstanceCreateBootDriveStorageClassType0
from .instance_create_ha_policy import InstanceCreateHaPolicy
from .instance_page import InstancePage
from .instance_resize import InstanceResize
from .instance_state import InstanceState
from .instance_update import InstanceUpdate
from .instance_update_ha_policy_type_0 import InstanceUpdateHaPolicyType0
from .invitation import Invitation
from .invitation_accept import InvitationAccept
from .ip_address import IpAddress
from .ip_address_create import IpAddressCreate
from .ip_address_page import IpAddressPage
from .ip_attachment import IpAttachment
from .ip_pool import IpPool
from .ip_pool_create import IpPoolCreate
from .ip_pool_page import IpPoolPage
from .liveness import Liveness
from .login import Login
from .login_request import LoginRequest
from .me import Me
from .openapi_document_response_200 import OpenapiDocumentResponse200
from .partner import Partner
from .partner_create import PartnerCreate
from .partner_create_brand import PartnerCreateBrand
from .partner_create_brand_hidden_sections_type_0_item import PartnerCreateBrandHiddenSectionsType0Item
from .partner_create_brand_navigation_type_0 import PartnerCreateBrandNavigationType0
from .partner_page import PartnerPage
from .partner_update import PartnerUpdate
from .project import Project
from .project_create import ProjectCreate
from .project_page import ProjectPage
from .recovery_codes import RecoveryCodes
from .replication import Replication
from .replication_state import ReplicationState
from .serial_output import SerialOutput
from .session import Session
from .session_page import SessionPage
from .snapshot import Snapshot
from .snapshot_create import SnapshotCreate
from .snapshot_image_create import SnapshotImageCreate
from .snapshot_page import SnapshotPage
from .snapshot_state import SnapshotState
from .ssh_key import SshKey
from .ssh_key_create import SshKeyCreate
from .ssh_key_page import SshKeyPage
from .storage_class import StorageClass
from .storage_health import StorageHealth
from .storage_pool import StoragePool
from .storage_status import StorageStatus
from .token import Token
from .token_create import TokenCreate
from .token_create_scope import TokenCreateScope
from .token_created import TokenCreated
from .token_page import TokenPage
from .token_scope import TokenScope
from .totp_code import TotpCode
from .totp_enrollment import TotpEnrollment
from .user import User
from .user_create import UserCreate
from .user_create_role import UserCreateRole
from .user_page import UserPage
from .user_role import UserRole

__all__ = (
    "Account",
    "AccountCreate",
    "AccountPage",
    "AccountUpdate",
    "Architecture",
    "BootMode",
    "Brand",
    "BrandHiddenSectionsType0Item",
    "BrandInfo",
    "BrandLink",
    "BrandNavigationType0",
    "Drive",
    "DriveAttachment",
    "DriveCreate",
    "DriveCreateStorageClass",
    "DrivePage",
    "DriveRollback",
    "DriveState",
    "DriveUpdate",
    "ErrorBody",
    "Event",
    "EventListOrder",
    "EventPage",
    "HaPolicy",
    "Health",
    "Host",
    "HostEnrollment",
    "HostEnrollmentCreate",
    "HostPage",
    "HostState",
    "HostUpdate",
    "HostUpdateStateType0",
    "Identity",
    "IdentityUpdate",
    "Image",
    "ImageCreate",
    "ImageCreateArchitecture",
    "ImageCreateBootMode",
    "ImagePage",
    "Instance",
    "InstanceCreate",
    "InstanceCreateBootDriveStorageClassType0",
    "InstanceCreateHaPolicy",
    "InstancePage",
    "InstanceResize",
    "InstanceState",
    "InstanceUpdate",
    "InstanceUpdateHaPolicyType0",
    "Invitation",
    "InvitationAccept",
    "IpAddress",
    "IpAddressCreate",
    "IpAddressPage",
    "IpAttachment",
    "IpPool",
    "IpPoolCreate",
    "IpPoolPage",
    "Liveness",
    "Login",
    "LoginRequest",
    "Me",
    "OpenapiDocumentResponse200",
    "Partner",
    "PartnerCreate",
    "PartnerCreateBrand",
    "PartnerCreateBrandHiddenSectionsType0Item",
    "PartnerCreateBrandNavigationType0",
    "PartnerPage",
    "PartnerUpdate",
    "Project",
    "ProjectCreate",
    "ProjectPage",
    "RecoveryCodes",
    "Replication",
    "ReplicationState",
    "SerialOutput",
    "Session",
    "SessionPage",
    "Snapshot",
    "SnapshotCreate",
    "SnapshotImageCreate",
    "SnapshotPage",
    "SnapshotState",
    "SshKey",
    "SshKeyCreate",
    "SshKeyPage",
    "StorageClass",
    "StorageHealth",
    "StoragePool",
    "StorageStatus",
    "Token",
    "TokenCreate",
    "TokenCreated",
    "TokenCreateScope",
    "TokenPage",
    "TokenScope",
    "TotpCode",
    "TotpEnrollment",
    "User",
    "UserCreate",
    "UserCreateRole",
    "UserPage",
    "UserRole",
)
