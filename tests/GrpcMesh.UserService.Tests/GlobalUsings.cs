global using Google.Rpc;
global using Grpc.Core;
global using GrpcMesh.Testing;
global using GrpcMesh.User.V1;
global using GrpcMesh.UserService.Tests.Support;
global using Money = GrpcMesh.Common.V1.Money;
global using ProtoUser = GrpcMesh.User.V1.User;
global using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;
