Console.WriteLine("GrpcMesh launcher: not implemented yet");
