global using GrpcMesh.OrderService.Tests.Support;
