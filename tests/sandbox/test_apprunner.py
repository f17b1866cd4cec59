"""The App Runner emulator through boto3 against a running sandbox: every operation, and the errors users hit."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from platform_cli.sandbox.images import push_placeholder_image

# Module-scoped fixtures: one worker runs the whole file (`make test` runs pytest-xdist).
pytestmark = pytest.mark.xdist_group("apprunner")

SETTLE_DEADLINE_SECONDS = 10.0


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def wait_for_status(apprunner, arn: str, *, leaving: str = "OPERATION_IN_PROGRESS") -> str:
    deadline = time.monotonic() + SETTLE_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        status = apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]
        if status != leaving:
            return status
        time.sleep(0.1)
    raise AssertionError(f"service {arn} still {leaving} after {SETTLE_DEADLINE_SECONDS}s")


@pytest.fixture(scope="module")
def apprunner(sandbox):
    return sandbox.client("apprunner")


@pytest.fixture(scope="module")
def access_role(sandbox) -> str:
    iam = sandbox.client("iam")
    return iam.create_role(RoleName=_unique("apprunner-access"), AssumeRolePolicyDocument="{}")["Role"]["Arn"]


@pytest.fixture(scope="module")
def image(sandbox) -> dict[str, str]:
    """An ECR repository holding a pushed placeholder image: its URI, tag and digest."""
    ecr = sandbox.client("ecr")
    name = _unique("model")
    uri = ecr.create_repository(repositoryName=name)["repository"]["repositoryUri"]
    digest = push_placeholder_image(name, "v1", ecr_client=ecr)
    return {"uri": uri, "name": name, "tag": "v1", "digest": digest}


def source(image_identifier: str, access_role: str) -> dict:
    return {
        "ImageRepository": {
            "ImageIdentifier": image_identifier,
            "ImageRepositoryType": "ECR",
            "ImageConfiguration": {"Port": "8080"},
        },
        "AuthenticationConfiguration": {"AccessRoleArn": access_role},
        "AutoDeploymentsEnabled": False,
    }


@pytest.fixture
def running_service(apprunner, image, access_role) -> dict:
    service = apprunner.create_service(
        ServiceName=_unique("svc"),
        SourceConfiguration=source(f"{image['uri']}@{image['digest']}", access_role),
        Tags=[{"Key": "team", "Value": "ml"}],
    )["Service"]
    assert wait_for_status(apprunner, service["ServiceArn"]) == "RUNNING"
    return service


# ---------------------------------------------------------------------------------------------- services
def test_create_service_returns_real_arn_and_url_and_starts_in_progress(apprunner, image, access_role, sandbox):
    name = _unique("svc")
    response = apprunner.create_service(
        ServiceName=name, SourceConfiguration=source(f"{image['uri']}:{image['tag']}", access_role)
    )
    service = response["Service"]
    assert re.fullmatch(
        rf"arn:aws:apprunner:us-east-1:123456789012:service/{name}/[0-9a-f]{{32}}", service["ServiceArn"]
    )
    assert re.fullmatch(r"[a-z0-9]{10}\.us-east-1\.awsapprunner\.com", service["ServiceUrl"])
    assert service["ServiceId"] == service["ServiceArn"].rsplit("/", 1)[1]
    assert service["Status"] == "OPERATION_IN_PROGRESS"
    assert response["OperationId"]
    assert wait_for_status(apprunner, service["ServiceArn"]) == "RUNNING"


def test_service_defaults_match_app_runner(running_service, apprunner):
    service = apprunner.describe_service(ServiceArn=running_service["ServiceArn"])["Service"]
    assert service["InstanceConfiguration"] == {"Cpu": "1024", "Memory": "2048"}
    assert service["HealthCheckConfiguration"]["Protocol"] == "TCP"
    assert service["NetworkConfiguration"]["EgressConfiguration"] == {"EgressType": "DEFAULT"}
    assert service["NetworkConfiguration"]["IngressConfiguration"] == {"IsPubliclyAccessible": True}
    assert service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] == "DefaultConfiguration"


def test_vcpu_and_gb_units_are_reported_in_api_units(apprunner, image, access_role):
    service = apprunner.create_service(
        ServiceName=_unique("svc"),
        SourceConfiguration=source(f"{image['uri']}:v1", access_role),
        InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"},
    )["Service"]
    assert service["InstanceConfiguration"] == {"Cpu": "2048", "Memory": "4096"}


def test_missing_image_ends_in_create_failed_with_failed_operation(apprunner, image, access_role):
    service = apprunner.create_service(
        ServiceName=_unique("svc"),
        SourceConfiguration=source(f"{image['uri']}:does-not-exist", access_role),
    )["Service"]
    assert wait_for_status(apprunner, service["ServiceArn"]) == "CREATE_FAILED"
    operations = apprunner.list_operations(ServiceArn=service["ServiceArn"])["OperationSummaryList"]
    assert [(o["Type"], o["Status"]) for o in operations] == [("CREATE_SERVICE", "FAILED")]


def test_missing_repository_ends_in_create_failed(apprunner, access_role):
    identifier = "123456789012.dkr.ecr.us-east-1.amazonaws.com/no-such-repo@sha256:" + "0" * 64
    service = apprunner.create_service(ServiceName=_unique("svc"), SourceConfiguration=source(identifier, access_role))[
        "Service"
    ]
    assert wait_for_status(apprunner, service["ServiceArn"]) == "CREATE_FAILED"


@pytest.mark.parametrize("cpu,memory", [("1024", "512"), ("256", "4096"), ("4 vCPU", "2 GB"), ("3 vCPU", "6 GB")])
def test_invalid_cpu_memory_combination_is_refused(apprunner, image, access_role, cpu, memory):
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_service(
            ServiceName=_unique("svc"),
            SourceConfiguration=source(f"{image['uri']}:v1", access_role),
            InstanceConfiguration={"Cpu": cpu, "Memory": memory},
        )
    assert _error_code(excinfo) == "InvalidRequestException"


@pytest.mark.parametrize("name", ["bad name!", "-leading-hyphen", "x" * 41])
def test_invalid_service_name_is_refused(apprunner, image, access_role, name):
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_service(ServiceName=name, SourceConfiguration=source(f"{image['uri']}:v1", access_role))
    assert _error_code(excinfo) == "InvalidRequestException"


def test_second_service_with_same_name_is_refused(apprunner, running_service, image, access_role):
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_service(
            ServiceName=running_service["ServiceName"], SourceConfiguration=source(f"{image['uri']}:v1", access_role)
        )
    assert _error_code(excinfo) == "InvalidRequestException"
    assert "already exists" in excinfo.value.response["Error"]["Message"]


def test_private_ecr_without_access_role_is_refused(apprunner, image):
    bare = {"ImageRepository": {"ImageIdentifier": f"{image['uri']}:v1", "ImageRepositoryType": "ECR"}}
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_service(ServiceName=_unique("svc"), SourceConfiguration=bare)
    assert _error_code(excinfo) == "InvalidRequestException"


def test_unknown_service_is_resource_not_found(apprunner):
    arn = "arn:aws:apprunner:us-east-1:123456789012:service/ghost/" + "0" * 32
    for call in (
        apprunner.describe_service,
        apprunner.delete_service,
        apprunner.pause_service,
        apprunner.start_deployment,
        apprunner.list_operations,
    ):
        with pytest.raises(ClientError) as excinfo:
            call(ServiceArn=arn)
        assert _error_code(excinfo) == "ResourceNotFoundException"


def test_list_services_pages_and_hides_deleted(apprunner, running_service):
    arns = []
    kwargs: dict = {"MaxResults": 1}
    while True:
        page = apprunner.list_services(**kwargs)
        assert len(page["ServiceSummaryList"]) <= 1
        arns += [s["ServiceArn"] for s in page["ServiceSummaryList"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert running_service["ServiceArn"] in arns


def test_update_service_changes_instance_and_records_operation(apprunner, running_service):
    arn = running_service["ServiceArn"]
    response = apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2048", "Memory": "4096"})
    assert response["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    with pytest.raises(ClientError) as excinfo:  # one operation at a time, as on AWS
        apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "1024", "Memory": "2048"})
    assert _error_code(excinfo) == "InvalidStateException"
    assert wait_for_status(apprunner, arn) == "RUNNING"
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["InstanceConfiguration"]["Cpu"] == "2048"
    types = [o["Type"] for o in apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]]
    assert types == ["UPDATE_SERVICE", "CREATE_SERVICE"]  # newest first


def test_update_to_missing_image_rolls_back(apprunner, running_service, image, access_role):
    arn = running_service["ServiceArn"]
    before = apprunner.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]
    apprunner.update_service(ServiceArn=arn, SourceConfiguration=source(f"{image['uri']}:ghost", access_role))
    assert wait_for_status(apprunner, arn) == "RUNNING"
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"] == before
    latest = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]
    assert (latest["Type"], latest["Status"]) == ("UPDATE_SERVICE", "ROLLBACK_SUCCEEDED")


def test_pause_and_resume(apprunner, running_service):
    arn = running_service["ServiceArn"]
    apprunner.pause_service(ServiceArn=arn)
    assert wait_for_status(apprunner, arn) == "PAUSED"
    with pytest.raises(ClientError) as excinfo:
        apprunner.pause_service(ServiceArn=arn)
    assert _error_code(excinfo) == "InvalidStateException"
    apprunner.resume_service(ServiceArn=arn)
    assert wait_for_status(apprunner, arn) == "RUNNING"
    with pytest.raises(ClientError) as excinfo:
        apprunner.resume_service(ServiceArn=arn)
    assert _error_code(excinfo) == "InvalidStateException"


def test_start_deployment_records_operation(apprunner, running_service):
    arn = running_service["ServiceArn"]
    operation_id = apprunner.start_deployment(ServiceArn=arn)["OperationId"]
    assert wait_for_status(apprunner, arn) == "RUNNING"
    latest = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]
    assert (latest["Id"], latest["Type"], latest["Status"]) == (operation_id, "START_DEPLOYMENT", "SUCCEEDED")
    assert latest["TargetArn"] == arn and latest["EndedAt"] >= latest["StartedAt"]


def test_delete_service_reaches_deleted_and_frees_the_name(apprunner, running_service, image, access_role):
    arn = running_service["ServiceArn"]
    response = apprunner.delete_service(ServiceArn=arn)
    assert response["Service"]["Status"] == "OPERATION_IN_PROGRESS" and response["OperationId"]
    assert wait_for_status(apprunner, arn) == "DELETED"
    assert arn not in [s["ServiceArn"] for s in apprunner.list_services()["ServiceSummaryList"]]
    with pytest.raises(ClientError) as excinfo:
        apprunner.delete_service(ServiceArn=arn)
    assert _error_code(excinfo) == "InvalidStateException"
    again = apprunner.create_service(
        ServiceName=running_service["ServiceName"], SourceConfiguration=source(f"{image['uri']}:v1", access_role)
    )["Service"]
    assert again["ServiceArn"] != arn


def test_describe_custom_domains_gives_the_service_url(apprunner, running_service):
    domains = apprunner.describe_custom_domains(ServiceArn=running_service["ServiceArn"])
    assert domains["DNSTarget"] == running_service["ServiceUrl"]
    assert domains["CustomDomains"] == []


def test_region_and_account_come_from_the_request(sandbox, image, access_role):
    eu = sandbox.client("apprunner", region="eu-west-1")
    configs = eu.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert all(":eu-west-1:123456789012:" in c["AutoScalingConfigurationArn"] for c in configs)


# ------------------------------------------------------------------------------ auto scaling configurations
def test_auto_scaling_configuration_revisions_and_latest(apprunner):
    name = _unique("asc")
    first = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName=name, MinSize=1, MaxSize=3, MaxConcurrency=50
    )["AutoScalingConfiguration"]
    second = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName=name, MaxSize=5)[
        "AutoScalingConfiguration"
    ]
    assert re.fullmatch(
        rf"arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/{name}/1/[0-9a-f]{{32}}",
        first["AutoScalingConfigurationArn"],
    )
    assert (first["AutoScalingConfigurationRevision"], second["AutoScalingConfigurationRevision"]) == (1, 2)
    assert first["Status"] == "active"  # App Runner reports auto-scaling status in lower case
    described = apprunner.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=first["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert described["Latest"] is False and described["MaxConcurrency"] == 50
    latest = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName=name, LatestOnly=True)
    assert [c["AutoScalingConfigurationRevision"] for c in latest["AutoScalingConfigurationSummaryList"]] == [2]
    every = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName=name)
    assert len(every["AutoScalingConfigurationSummaryList"]) == 2
    # a partial ARN (.../NAME) means the latest active revision
    partial = second["AutoScalingConfigurationArn"].rsplit("/", 2)[0]
    by_name = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=partial)
    assert by_name["AutoScalingConfiguration"]["AutoScalingConfigurationRevision"] == 2

    deleted = apprunner.delete_auto_scaling_configuration(
        AutoScalingConfigurationArn=second["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert deleted["Status"] == "inactive" and "DeletedAt" in deleted
    remaining = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName=name, LatestOnly=True)
    assert [c["AutoScalingConfigurationRevision"] for c in remaining["AutoScalingConfigurationSummaryList"]] == [1]


@pytest.mark.parametrize(
    "kwargs", [{"MinSize": 5, "MaxSize": 2}, {"MaxSize": 26}, {"MaxConcurrency": 201}, {"MinSize": 26, "MaxSize": 25}]
)
def test_invalid_auto_scaling_values_are_refused(apprunner, kwargs):
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName=_unique("asc"), **kwargs)
    assert _error_code(excinfo) == "InvalidRequestException"


def test_auto_scaling_configuration_in_use_cannot_be_deleted(apprunner, image, access_role):
    config = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName=_unique("asc"))[
        "AutoScalingConfiguration"
    ]
    service = apprunner.create_service(
        ServiceName=_unique("svc"),
        SourceConfiguration=source(f"{image['uri']}:v1", access_role),
        AutoScalingConfigurationArn=config["AutoScalingConfigurationArn"],
    )["Service"]
    assert (
        service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationArn"]
        == config["AutoScalingConfigurationArn"]
    )
    described = apprunner.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=config["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert described["HasAssociatedService"] is True
    listed = apprunner.list_services_for_auto_scaling_configuration(
        AutoScalingConfigurationArn=config["AutoScalingConfigurationArn"]
    )
    assert listed["ServiceArnList"] == [service["ServiceArn"]]
    with pytest.raises(ClientError) as excinfo:
        apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=config["AutoScalingConfigurationArn"])
    assert _error_code(excinfo) == "InvalidRequestException"


def test_unknown_auto_scaling_configuration_is_not_found(apprunner):
    arn = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/ghost/1/" + "0" * 32
    with pytest.raises(ClientError) as excinfo:
        apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
    assert _error_code(excinfo) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
    assert _error_code(excinfo) == "ResourceNotFoundException"


# ---------------------------------------------------------------------------- observability configurations
def test_observability_configuration_lifecycle(apprunner, image, access_role):
    name = _unique("obs")
    first = apprunner.create_observability_configuration(
        ObservabilityConfigurationName=name, TraceConfiguration={"Vendor": "AWSXRAY"}
    )["ObservabilityConfiguration"]
    second = apprunner.create_observability_configuration(ObservabilityConfigurationName=name)[
        "ObservabilityConfiguration"
    ]
    assert ":observabilityconfiguration/" + name + "/1/" in first["ObservabilityConfigurationArn"]
    assert (first["Status"], second["ObservabilityConfigurationRevision"], second["Latest"]) == ("ACTIVE", 2, True)
    assert apprunner.describe_observability_configuration(
        ObservabilityConfigurationArn=first["ObservabilityConfigurationArn"]
    )["ObservabilityConfiguration"]["TraceConfiguration"] == {"Vendor": "AWSXRAY"}
    latest = apprunner.list_observability_configurations(ObservabilityConfigurationName=name, LatestOnly=True)
    assert [c["ObservabilityConfigurationRevision"] for c in latest["ObservabilityConfigurationSummaryList"]] == [2]

    service = apprunner.create_service(
        ServiceName=_unique("svc"),
        SourceConfiguration=source(f"{image['uri']}:v1", access_role),
        ObservabilityConfiguration={
            "ObservabilityEnabled": True,
            "ObservabilityConfigurationArn": first["ObservabilityConfigurationArn"],
        },
    )["Service"]
    assert service["ObservabilityConfiguration"]["ObservabilityEnabled"] is True
    with pytest.raises(ClientError) as excinfo:
        apprunner.delete_observability_configuration(
            ObservabilityConfigurationArn=first["ObservabilityConfigurationArn"]
        )
    assert _error_code(excinfo) == "InvalidRequestException"
    deleted = apprunner.delete_observability_configuration(
        ObservabilityConfigurationArn=second["ObservabilityConfigurationArn"]
    )["ObservabilityConfiguration"]
    assert deleted["Status"] == "INACTIVE"


def test_observability_configuration_errors(apprunner):
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_observability_configuration(ObservabilityConfigurationName="no spaces allowed")
    assert _error_code(excinfo) == "InvalidRequestException"
    arn = "arn:aws:apprunner:us-east-1:123456789012:observabilityconfiguration/ghost/1/" + "0" * 32
    with pytest.raises(ClientError) as excinfo:
        apprunner.describe_observability_configuration(ObservabilityConfigurationArn=arn)
    assert _error_code(excinfo) == "ResourceNotFoundException"


# ---------------------------------------------------------------------------------------------- VPC connectors
@pytest.fixture(scope="module")
def network(sandbox) -> dict[str, str]:
    ec2 = sandbox.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=_unique("apprunner"), Description="egress", VpcId=vpc)["GroupId"]
    return {"subnet": subnet, "group": group}


def test_vpc_connector_lifecycle(apprunner, network, image, access_role):
    name = _unique("conn")
    connector = apprunner.create_vpc_connector(
        VpcConnectorName=name, Subnets=[network["subnet"]], SecurityGroups=[network["group"]]
    )["VpcConnector"]
    arn = connector["VpcConnectorArn"]
    assert ":vpcconnector/" + name + "/1/" in arn and connector["Status"] == "ACTIVE"
    assert apprunner.describe_vpc_connector(VpcConnectorArn=arn)["VpcConnector"]["Subnets"] == [network["subnet"]]
    assert arn in [c["VpcConnectorArn"] for c in apprunner.list_vpc_connectors()["VpcConnectors"]]
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_vpc_connector(VpcConnectorName=name, Subnets=[network["subnet"]])
    assert _error_code(excinfo) == "InvalidRequestException"

    service = apprunner.create_service(
        ServiceName=_unique("svc"),
        SourceConfiguration=source(f"{image['uri']}:v1", access_role),
        NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": arn}},
    )["Service"]
    assert service["NetworkConfiguration"]["EgressConfiguration"]["VpcConnectorArn"] == arn
    with pytest.raises(ClientError) as excinfo:
        apprunner.delete_vpc_connector(VpcConnectorArn=arn)
    assert _error_code(excinfo) == "InvalidRequestException"
    wait_for_status(apprunner, service["ServiceArn"])
    apprunner.delete_service(ServiceArn=service["ServiceArn"])
    assert wait_for_status(apprunner, service["ServiceArn"]) == "DELETED"
    deleted = apprunner.delete_vpc_connector(VpcConnectorArn=arn)["VpcConnector"]
    assert deleted["Status"] == "INACTIVE"
    assert arn not in [c["VpcConnectorArn"] for c in apprunner.list_vpc_connectors()["VpcConnectors"]]


def test_vpc_connector_needs_existing_subnets(apprunner):
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_vpc_connector(VpcConnectorName=_unique("conn"), Subnets=["subnet-00000000"])
    assert _error_code(excinfo) == "InvalidRequestException"
    arn = "arn:aws:apprunner:us-east-1:123456789012:vpcconnector/ghost/1/" + "0" * 32
    with pytest.raises(ClientError) as excinfo:
        apprunner.describe_vpc_connector(VpcConnectorArn=arn)
    assert _error_code(excinfo) == "ResourceNotFoundException"


# ------------------------------------------------------------------------------------------------------- tags
def test_tag_untag_and_list_tags(apprunner, running_service):
    arn = running_service["ServiceArn"]
    assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "staging"}])
    tags = {t["Key"]: t["Value"] for t in apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"team": "ml", "env": "staging"}
    apprunner.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "staging"}]


def test_tags_on_unknown_resource_are_not_found(apprunner):
    arn = "arn:aws:apprunner:us-east-1:123456789012:service/ghost/" + "0" * 32
    with pytest.raises(ClientError) as excinfo:
        apprunner.list_tags_for_resource(ResourceArn=arn)
    assert _error_code(excinfo) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    assert _error_code(excinfo) == "ResourceNotFoundException"
