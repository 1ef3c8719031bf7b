# The controller image: the lightmesh CLI, whose `lightmesh server` is the controller (the default command).
# Build from the repository root: docker build -t lightmesh .
# The SDK stage builds src/LightMesh.Cli (assembly lightmesh.dll); the runtime stage has only ASP.NET Core.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/LightMesh.Cli/LightMesh.Cli.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# `lightmesh VERB` inside the container, as in a checkout.
RUN printf '#!/bin/sh\nexec dotnet /app/lightmesh.dll "$@"\n' > /usr/local/bin/lightmesh && chmod 755 /usr/local/bin/lightmesh
USER $APP_UID
ENTRYPOINT ["lightmesh"]
CMD ["server"]
