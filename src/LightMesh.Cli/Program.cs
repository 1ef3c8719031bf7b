using LightMesh.Cli;

return await LightMeshApp.RunAsync(args);
