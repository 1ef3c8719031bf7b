using LightMesh.Demo.Service;

return await DemoHost.RunAsync(args);
