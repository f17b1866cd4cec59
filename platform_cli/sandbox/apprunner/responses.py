"""App Runner's JSON 1.0 protocol (X-Amz-Target: AppRunner.<Operation>) on top of the backend.

moto's BaseResponse parses the target, the account (from the access key) and the region (from the signature);
ActionResult serializes through botocore's apprunner model, so shapes and timestamps are AWS's own.
"""

from __future__ import annotations

from moto.core.responses import ActionResult, BaseResponse

from .models import AppRunnerBackend, apprunner_backends


class AppRunnerResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="apprunner")

    @property
    def backend(self) -> AppRunnerBackend:
        return apprunner_backends[self.current_account][self.region]

    def _page(self) -> tuple[int | None, str | None]:
        return self._get_param("MaxResults"), self._get_param("NextToken")

    @staticmethod
    def _with_token(result: dict, next_token: str | None) -> ActionResult:
        if next_token:
            result["NextToken"] = next_token
        return ActionResult(result)

    # ------------------------------------------------------------------ services
    def create_service(self) -> ActionResult:
        service, operation_id = self.backend.create_service(
            service_name=self._get_param("ServiceName"),
            source_configuration=self._get_param("SourceConfiguration", {}),
            instance_configuration=self._get_param("InstanceConfiguration"),
            tags=self._get_param("Tags"),
            encryption_configuration=self._get_param("EncryptionConfiguration"),
            health_check_configuration=self._get_param("HealthCheckConfiguration"),
            auto_scaling_configuration_arn=self._get_param("AutoScalingConfigurationArn"),
            network_configuration=self._get_param("NetworkConfiguration"),
            observability_configuration=self._get_param("ObservabilityConfiguration"),
        )
        return ActionResult({"Service": service.to_dict(), "OperationId": operation_id})

    def describe_service(self) -> ActionResult:
        service = self.backend.describe_service(self._get_param("ServiceArn"))
        return ActionResult({"Service": service.to_dict()})

    def update_service(self) -> ActionResult:
        service, operation_id = self.backend.update_service(
            service_arn=self._get_param("ServiceArn"),
            source_configuration=self._get_param("SourceConfiguration"),
            instance_configuration=self._get_param("InstanceConfiguration"),
            auto_scaling_configuration_arn=self._get_param("AutoScalingConfigurationArn"),
            health_check_configuration=self._get_param("HealthCheckConfiguration"),
            network_configuration=self._get_param("NetworkConfiguration"),
            observability_configuration=self._get_param("ObservabilityConfiguration"),
        )
        return ActionResult({"Service": service.to_dict(), "OperationId": operation_id})

    def delete_service(self) -> ActionResult:
        service, operation_id = self.backend.delete_service(self._get_param("ServiceArn"))
        return ActionResult({"Service": service.to_dict(), "OperationId": operation_id})

    def list_services(self) -> ActionResult:
        services, token = self.backend.list_services(*self._page())
        return self._with_token({"ServiceSummaryList": [s.to_summary() for s in services]}, token)

    def pause_service(self) -> ActionResult:
        service, operation_id = self.backend.pause_service(self._get_param("ServiceArn"))
        return ActionResult({"Service": service.to_dict(), "OperationId": operation_id})

    def resume_service(self) -> ActionResult:
        service, operation_id = self.backend.resume_service(self._get_param("ServiceArn"))
        return ActionResult({"Service": service.to_dict(), "OperationId": operation_id})

    def start_deployment(self) -> ActionResult:
        return ActionResult({"OperationId": self.backend.start_deployment(self._get_param("ServiceArn"))})

    def list_operations(self) -> ActionResult:
        operations, token = self.backend.list_operations(self._get_param("ServiceArn"), *self._page())
        return self._with_token({"OperationSummaryList": [o.to_summary() for o in operations]}, token)

    def describe_custom_domains(self) -> ActionResult:
        service = self.backend.describe_custom_domains(self._get_param("ServiceArn"))
        return ActionResult(
            {"DNSTarget": service.url, "ServiceArn": service.arn, "CustomDomains": [], "VpcDNSTargets": []}
        )

    # ------------------------------------------------------------------ auto scaling configurations
    def create_auto_scaling_configuration(self) -> ActionResult:
        config = self.backend.create_auto_scaling_configuration(
            name=self._get_param("AutoScalingConfigurationName"),
            max_concurrency=self._get_param("MaxConcurrency"),
            min_size=self._get_param("MinSize"),
            max_size=self._get_param("MaxSize"),
            tags=self._get_param("Tags"),
        )
        return ActionResult({"AutoScalingConfiguration": config.to_dict()})

    def describe_auto_scaling_configuration(self) -> ActionResult:
        config = self.backend.describe_auto_scaling_configuration(self._get_param("AutoScalingConfigurationArn"))
        return ActionResult({"AutoScalingConfiguration": config.to_dict()})

    def delete_auto_scaling_configuration(self) -> ActionResult:
        config = self.backend.delete_auto_scaling_configuration(self._get_param("AutoScalingConfigurationArn"))
        return ActionResult({"AutoScalingConfiguration": config.to_dict()})

    def list_auto_scaling_configurations(self) -> ActionResult:
        configs, token = self.backend.list_auto_scaling_configurations(
            self._get_param("AutoScalingConfigurationName"), bool(self._get_param("LatestOnly")), *self._page()
        )
        return self._with_token({"AutoScalingConfigurationSummaryList": [c.to_summary() for c in configs]}, token)

    def list_services_for_auto_scaling_configuration(self) -> ActionResult:
        arns, token = self.backend.list_services_for_auto_scaling_configuration(
            self._get_param("AutoScalingConfigurationArn"), *self._page()
        )
        return self._with_token({"ServiceArnList": arns}, token)

    def update_default_auto_scaling_configuration(self) -> ActionResult:
        config = self.backend.update_default_auto_scaling_configuration(self._get_param("AutoScalingConfigurationArn"))
        return ActionResult({"AutoScalingConfiguration": config.to_dict()})

    # ------------------------------------------------------------------ observability configurations
    def create_observability_configuration(self) -> ActionResult:
        config = self.backend.create_observability_configuration(
            name=self._get_param("ObservabilityConfigurationName"),
            trace_configuration=self._get_param("TraceConfiguration"),
            tags=self._get_param("Tags"),
        )
        return ActionResult({"ObservabilityConfiguration": config.to_dict()})

    def describe_observability_configuration(self) -> ActionResult:
        config = self.backend.describe_observability_configuration(self._get_param("ObservabilityConfigurationArn"))
        return ActionResult({"ObservabilityConfiguration": config.to_dict()})

    def delete_observability_configuration(self) -> ActionResult:
        config = self.backend.delete_observability_configuration(self._get_param("ObservabilityConfigurationArn"))
        return ActionResult({"ObservabilityConfiguration": config.to_dict()})

    def list_observability_configurations(self) -> ActionResult:
        configs, token = self.backend.list_observability_configurations(
            self._get_param("ObservabilityConfigurationName"), bool(self._get_param("LatestOnly")), *self._page()
        )
        return self._with_token({"ObservabilityConfigurationSummaryList": [c.to_summary() for c in configs]}, token)

    # ------------------------------------------------------------------ VPC connectors
    def create_vpc_connector(self) -> ActionResult:
        connector = self.backend.create_vpc_connector(
            name=self._get_param("VpcConnectorName"),
            subnets=self._get_param("Subnets", []),
            security_groups=self._get_param("SecurityGroups"),
            tags=self._get_param("Tags"),
        )
        return ActionResult({"VpcConnector": connector.to_dict()})

    def describe_vpc_connector(self) -> ActionResult:
        connector = self.backend.describe_vpc_connector(self._get_param("VpcConnectorArn"))
        return ActionResult({"VpcConnector": connector.to_dict()})

    def delete_vpc_connector(self) -> ActionResult:
        connector = self.backend.delete_vpc_connector(self._get_param("VpcConnectorArn"))
        return ActionResult({"VpcConnector": connector.to_dict()})

    def list_vpc_connectors(self) -> ActionResult:
        connectors, token = self.backend.list_vpc_connectors(*self._page())
        return self._with_token({"VpcConnectors": [c.to_dict() for c in connectors]}, token)

    # ------------------------------------------------------------------ tags
    def tag_resource(self) -> ActionResult:
        self.backend.tag_resource(self._get_param("ResourceArn"), self._get_param("Tags", []))
        return ActionResult({})

    def untag_resource(self) -> ActionResult:
        self.backend.untag_resource(self._get_param("ResourceArn"), self._get_param("TagKeys", []))
        return ActionResult({})

    def list_tags_for_resource(self) -> ActionResult:
        return ActionResult({"Tags": self.backend.list_tags_for_resource(self._get_param("ResourceArn"))})
