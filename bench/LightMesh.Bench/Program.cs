using LightMesh.Bench;
using LightMesh.Cli;

return await LightMeshApp.RunAsync(args, BenchApp.Configure);
